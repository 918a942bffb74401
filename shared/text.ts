/**
 * What people may type: the rules every name and every piece of free text is held to, and the
 * two zod schemas that apply them (`singleLineText` for names, titles, addresses; `multiLineText`
 * for descriptions, notes, content). Whatever is refused here is refused with a 400 naming the
 * field, and never reaches the database, a wall or an export.
 *
 * Refused everywhere, because nobody types them and each hides or changes what a reader sees:
 * - control characters: C0 (U+0000–U+001F) but tab, line feed and carriage return in multi-line
 *   text, DEL and C1 (U+007F–U+009F): NUL truncates strings in C tools, ESC drives terminals
 *   that read logs and exports;
 * - bidirectional controls: U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C: an override
 *   (U+202E) shows `gpj.exe` as `exe.jpg` and can make a name read as someone else's;
 * - unpaired UTF-16 surrogates (`\uD800` in JSON with no partner): not text at all; SQLite would
 *   store U+FFFD in their place, silently changing what was sent;
 * - U+FEFF (a byte-order mark, invisible mid-text) and the 66 non-characters (U+FDD0–U+FDEF and
 *   every U+xxFFFE, U+xxFFFF).
 *
 * Kept: every letter and symbol of every script (CJK, Arabic and Hebrew letters, which set their
 * own direction), emoji — surrogate pairs, variation selectors, skin tones, tag sequences (🏴󠁧󠁢󠁳󠁣󠁴󠁿)
 * and the zero-width joiner (U+200D) of 👨‍👩‍👧 — the zero-width non-joiner (U+200C) Persian and
 * Indic spelling needs, private-use characters and U+FFFD itself. In multi-line text, tabs and
 * line breaks (`\n`, `\r`, U+2028, U+2029) too; a single-line field refuses them as well.
 *
 * The check runs on the text as sent, before trimming: a name ending in a line break is refused,
 * not quietly trimmed, so what is stored is what the client showed.
 */
import { z } from 'zod';
import type { MessageKey } from './i18n.ts';

/** Why a piece of text was refused: an i18n key (shared/i18n.ts), for a field's issue. */
export type TextProblemCode = Extract<MessageKey, `error.text_${string}`>;

export interface TextProblem {
  code: TextProblemCode;
  /** The character refused, as `U+202E`. */
  char: string;
  /** Its position in the text, in characters (code points), from 1. */
  at: number;
  /** An English sentence for the issue's `problem`. */
  message: string;
}

export type TextKind = 'single' | 'multi';

// With the `u` flag, [\uD800-\uDFFF] matches a surrogate only when it is not half of a pair.
const MULTI = /[\0-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF\p{Noncharacter_Code_Point}\uD800-\uDFFF]/u;
const SINGLE = /[\0-\x1F\x7F-\x9F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF\p{Noncharacter_Code_Point}\uD800-\uDFFF]/u;

const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

function classify(cp: number): TextProblemCode {
  if (cp === 0x09 || cp === 0x0a || cp === 0x0d || cp === 0x2028 || cp === 0x2029) return 'error.text_line_break';
  if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f)) return 'error.text_control';
  if (BIDI.test(String.fromCharCode(cp))) return 'error.text_bidi';
  if (cp >= 0xd800 && cp <= 0xdfff) return 'error.text_surrogate';
  return 'error.text_noncharacter';
}

const SENTENCES: Record<TextProblemCode, string> = {
  'error.text_control': 'must not contain control characters',
  'error.text_line_break': 'must be one line: no line breaks or tabs',
  'error.text_bidi': 'must not contain text-direction controls',
  'error.text_surrogate': 'contains a broken character (an unpaired UTF-16 surrogate)',
  'error.text_noncharacter': 'must not contain a byte-order mark or a Unicode non-character',
};

/**
 * The first character of `text` the rules refuse, or null when it may be stored as it is.
 *
 * @example textProblem('张三\u202E', 'single')
 *   // { code: 'error.text_bidi', char: 'U+202E', at: 3, message: 'must not contain text-direction controls (U+202E at character 3)' }
 */
export function textProblem(text: string, kind: TextKind): TextProblem | null {
  const m = (kind === 'single' ? SINGLE : MULTI).exec(text);
  if (!m) return null;
  const cp = m[0].codePointAt(0)!;
  const code = classify(cp);
  const char = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  const at = [...text.slice(0, m.index)].length + 1;
  return { code, char, at, message: `${SENTENCES[code]} (${char} at character ${at})` };
}

/** A zod check refusing what `textProblem` refuses; the issue carries its i18n key as `params.code`. */
export const textRule = (kind: TextKind) => (value: string, ctx: z.RefinementCtx) => {
  const p = textProblem(value, kind);
  if (p) ctx.addIssue({ code: 'custom', message: p.message, params: { code: p.code, char: p.char, at: p.at } });
};

/**
 * A name, a title, an address, a label: one line of text, trimmed, at most `max` characters.
 *
 * @example const body = z.object({ name: singleLineText(40).min(1, 'required') });
 */
export const singleLineText = (max: number) =>
  z.string().superRefine(textRule('single')).trim().max(max, `at most ${max} characters`);

/** A description, a note, a service's content: tabs and line breaks allowed, trimmed, at most `max` characters. */
export const multiLineText = (max: number) =>
  z.string().superRefine(textRule('multi')).trim().max(max, `at most ${max} characters`);
