/** The words for a correction refused because a colleague changed the record first (409 `error.version_conflict`), or null for any other error. */
import { ApiError } from '../../../lib/api.ts';
import { dateTime } from '../../../lib/format.ts';
import { i18n } from '../../i18n.svelte.ts';
import { session } from '../../session.svelte.ts';

export function conflictText(err: unknown): string | null {
  if (!(err instanceof ApiError) || err.code !== 'error.version_conflict') return null;
  const who = (err.details.changedBy as string | null) ?? '?';
  const at = dateTime((err.details.changedAt as string | null) ?? null, session.timeZone);
  return i18n.t('console.register.conflict', { who, at });
}
