/**
 * A form's submit state: busy while the request runs; a 400's field issues placed on the
 * fields they name, and whatever no field shows kept for the alert above the buttons.
 */
import type { z } from 'zod';
import { ApiError } from '../lib/api.ts';
import { i18n } from './i18n.svelte.ts';
import { waitParts } from '../lib/format.ts';

/**
 * The server's problem text (zod's English) in the console's language: by its i18n key when it
 * carries one (a refused character), else for the usual cases; anything else as the server wrote it.
 */
export function problemText(problem: string, code?: unknown): string {
  if (typeof code === 'string' && i18n.has(code)) return i18n.t(code);
  const p = problem.trim();
  let m: RegExpExecArray | null;
  if (/^required$|received undefined|^Required$/i.test(p)) return i18n.t('console.problem.required');
  if ((m = /too small.*?>=?\s*(\d+)\s*characters?/i.exec(p)) || (m = /at least (\d+) characters?/i.exec(p))) {
    return i18n.t('console.problem.minLength', { n: m[1]! });
  }
  if ((m = /too big.*?<=?\s*(\d+)\s*characters?/i.exec(p)) || (m = /at most (\d+) characters?/i.exec(p))) {
    return i18n.t('console.problem.maxLength', { n: m[1]! });
  }
  if (/too small.*array|at least 1 (item|element)/i.test(p)) return i18n.t('console.problem.chooseOne');
  if (/invalid option|invalid enum|expected one of/i.test(p)) return i18n.t('console.problem.option');
  if (/already (taken|exists|in use)|must be unique|duplicate/i.test(p)) return i18n.t('console.problem.taken');
  if (/is not a known field/i.test(p)) return i18n.t('console.problem.unknownField');
  if (/must be 3.32 letters/i.test(p)) return i18n.t('console.problem.username');
  if (/must be one of|must be active or disabled/i.test(p)) return i18n.t('console.problem.option');
  if (/6-character code/i.test(p)) return i18n.t('console.displays.codeFormat');
  if (/no social worker/i.test(p)) return i18n.t('console.users.workerUnknown');
  if (/only a social worker/i.test(p)) return i18n.t('console.users.workerRoleOnly');
  return p;
}

/**
 * Answers that are about one field of the form (a taken username, a wrong current password):
 * their message goes next to that field when the form shows it.
 */
const CODE_FIELDS: Record<string, string> = {
  'error.username_taken': 'username',
  'error.wrong_password': 'currentPassword',
  'error.pairing_expired': 'code',
};

/** The top-level field a zod path names (`grids[0]` → `grids`). */
const fieldOf = (path: readonly PropertyKey[]) => (path.length ? String(path[0]) : '(body)');

/** What to tell a person about a failed request, in the console's language. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === 'error.network' || e.status === 0) return i18n.t('console.error.network');
    if (e.status === 429 || e.code === 'error.rate_limited') {
      if (e.retryAfter === null) return i18n.t('console.error.rateLimited');
      const { minutes, seconds } = waitParts(e.retryAfter);
      return minutes > 0
        ? i18n.t('console.error.rateLimitedMinutes', { minutes, seconds })
        : i18n.t('console.error.rateLimitedSeconds', { seconds });
    }
    const console = `console.${e.code}`;
    if (i18n.has(console)) return i18n.t(console);
    if (i18n.has(e.code)) return i18n.t(e.code);
    return e.message || i18n.t('console.error.unknown');
  }
  return e instanceof Error && e.message ? e.message : i18n.t('console.error.unknown');
}

export class FormState {
  busy = $state(false);
  /** The alert above the buttons; null when all is well. */
  error = $state<string | null>(null);
  /** Problems by field name, shown next to the fields. */
  fields = $state<Record<string, string>>({});

  /**
   * Run `work` as this form's submit. `shown` names the form's fields: issues about them go
   * next to them, the rest into the alert. Resolves to the work's value, or undefined if it failed.
   */
  async run<T>(work: () => Promise<T>, shown: readonly string[] = []): Promise<T | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    this.error = null;
    this.fields = {};
    try {
      return await work();
    } catch (e) {
      this.fail(e, shown);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  /** Show a failure: field issues on their fields, everything else in the alert. */
  fail(e: unknown, shown: readonly string[] = []) {
    const fields: Record<string, string> = {};
    const rest: string[] = [];
    const codeField = e instanceof ApiError ? CODE_FIELDS[e.code] : undefined;
    if (codeField && shown.includes(codeField)) fields[codeField] = errorMessage(e);
    else if (e instanceof ApiError && e.issues.length) {
      for (const issue of e.issues) {
        const field = shown.find((f) => issue.field === f || issue.field.startsWith(`${f}[`) || issue.field.startsWith(`${f}.`));
        if (field && !fields[field]) fields[field] = problemText(issue.problem, issue.code);
        else if (!field) rest.push(`${issue.field}: ${problemText(issue.problem, issue.code)}`);
      }
    }
    this.fields = fields;
    const headline = errorMessage(e);
    this.error = Object.keys(fields).length && !rest.length ? i18n.t('console.form.fixFields') : rest.length ? `${headline} — ${rest.join('; ')}` : headline;
  }

  /** Client-side checks before a request: a problem per field, or nothing. */
  check(problems: Record<string, string | false | null | undefined>): boolean {
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(problems)) if (v) fields[k] = v;
    this.fields = fields;
    this.error = Object.keys(fields).length ? i18n.t('console.form.fixFields') : null;
    return !Object.keys(fields).length;
  }

  /**
   * Check `value` with the same schema the server uses (shared/), plus `extra` checks the
   * schema cannot make (two passwords alike): the parsed value, or undefined with every
   * problem on its field.
   */
  parse<S extends z.ZodType>(schema: S, value: unknown, extra: Record<string, string | false | null | undefined> = {}): z.output<S> | undefined {
    const r = schema.safeParse(value);
    const problems: Record<string, string | false | null | undefined> = {};
    if (!r.success) {
      for (const issue of r.error.issues) {
        const field = fieldOf(issue.path);
        problems[field] ??= problemText(issue.message, issue.code === 'custom' ? issue.params?.code : undefined);
      }
    }
    for (const [k, v] of Object.entries(extra)) if (v) problems[k] ??= v;
    return this.check(problems) && r.success ? r.data : undefined;
  }

  reset() {
    this.busy = false;
    this.error = null;
    this.fields = {};
  }
}
