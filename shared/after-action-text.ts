/**
 * A timeline entry's "what" in words (shared/after-action.ts), for the report page and its
 * spreadsheet export alike: the step, the status and how it was found, the stage, the case, and
 * the people subject's call-outs, answers, duties, shelters and supplies. The words come from the
 * catalogues (`console.aar.what.*`); a kind the catalogues do not know shows its data as it is.
 */
import type { TimelineEntry } from './after-action.ts';

/** A catalogue lookup with `{placeholders}` filled; null for a key the catalogues lack. */
export type Say = (key: string, params?: Record<string, string | number>) => string | null;

/** @example whatText({ kind: 'supply_out', what: { shelter: '社区活动中心', item: '矿泉水', unit: '箱', quantity: 12, onHand: 38 } }, say) === '社区活动中心：发放 矿泉水 12 箱，结存 38 箱' */
export function whatText(e: Pick<TimelineEntry, 'kind' | 'what'>, say: Say, gridName: (id: string) => string = (id) => id): string {
  const w = e.what as Record<string, unknown>;
  const s = (v: unknown) => String(v ?? '');
  const or = (key: string, fallback: string) => say(key) ?? fallback;
  const list = (v: unknown, name: (x: string) => string = (x) => x) => {
    const items = Array.isArray(v) ? v.map(String) : [];
    return items.length ? items.map(name).join(' / ') : or('console.aar.what.any', '—');
  };
  const words = (key: string, params: Record<string, string | number>) => say(key, params);
  let text: string | null;
  switch (e.kind) {
    case 'step': return or(`console.incident.step.${s(w.step)}`, s(w.step));
    case 'report': return [say(`board.status.${s(w.status)}`), say(`board.source.${s(w.source)}`), w.note || null].filter(Boolean).join(' · ');
    case 'escalation': return or(`board.escalation.${s(w.stage)}`, s(w.stage));
    case 'case': case 'case_dispatched': case 'case_resolved': return `#${s(w.eventId)}`;
    case 'release': return w.lapsed ? or('console.aar.what.lapsed', '') : '';
    case 'callout':
      text = words('console.aar.what.callout', { id: s(w.calloutId), asked: Number(w.asked ?? 0), skills: list(w.skills), grids: list(w.grids, gridName) });
      break;
    case 'callout_accepted': case 'callout_declined': case 'duty_on': case 'duty_off':
      text = words('console.aar.what.calloutRef', { id: s(w.calloutId) });
      break;
    case 'duties_ended': text = words('console.aar.what.dutiesEnded', { n: Number(w.ended ?? 0) }); break;
    case 'shelter_opened':
      text = w.capacity === null || w.capacity === undefined ? s(w.shelter) : words('console.aar.what.shelterOpened', { shelter: s(w.shelter), capacity: Number(w.capacity) });
      break;
    case 'shelter_in': case 'shelter_out':
      text = words(`console.aar.what.${e.kind === 'shelter_in' ? 'checkedIn' : 'checkedOut'}`, { shelter: s(w.shelter), people: Number(w.people), occupancy: Number(w.occupancy) });
      if (text && Number(w.households) > 0) text += ` · ${words('console.aar.what.households', { n: Number(w.households) }) ?? s(w.households)}`;
      break;
    case 'supply_in': case 'supply_out':
      text = words(`console.aar.what.${e.kind === 'supply_in' ? 'received' : 'issued'}`, {
        shelter: s(w.shelter), item: s(w.item), unit: s(w.unit), quantity: Number(w.quantity), onHand: Number(w.onHand),
      });
      if (text && w.reason) text += ` · ${s(w.reason)}`;
      break;
    default: text = null;
  }
  return text ?? Object.entries(w).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' · ');
}
