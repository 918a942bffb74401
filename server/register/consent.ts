/**
 * Consent (平时共享同意): what a resident agreed may be shared in normal times, beyond the grid
 * workers and admins who keep the register. A Japanese municipality's register of residents who
 * need help evacuating works the same way: shared with consent in normal times, without it in a
 * disaster.
 *
 * The hook for the emergency issue: `mayShare` is the one question "may this resident's record
 * go to someone for `purpose`?". Today it answers from the consent alone. When a disaster is
 * declared (the emergency issue), its caller passes the declaration covering the resident's grid
 * as `override`; the answer is then yes for `evacuation` and `care`, and the caller must log it
 * (`overridden: true` says so), naming the declaration, as a staff read of the record is logged.
 */
import type { ConsentPurpose } from '../../shared/register.ts';
import type { ResidentRecord } from './record.ts';

/** A declared emergency covering a grid: what lets a record be shared without consent, logged. */
export interface EmergencyOverride {
  /** The declaration's id, for the log line. */
  emergencyId: number;
  /** The grids it covers. */
  gridIds: readonly string[];
}

export interface ShareDecision {
  allowed: boolean;
  /** True when only the emergency allowed it: the caller logs the share with the declaration. */
  overridden: boolean;
}

/** Whether `resident` may be shared for `purpose`, by their consent or by a declared emergency over their grid. */
export function mayShare(resident: Pick<ResidentRecord, 'consent' | 'gridId'>, purpose: ConsentPurpose, override: EmergencyOverride | null = null): ShareDecision {
  if (resident.consent.includes(purpose)) return { allowed: true, overridden: false };
  const covered = override !== null && override.gridIds.includes(resident.gridId) && purpose !== 'notices';
  return { allowed: covered, overridden: covered };
}
