/**
 * The WHERE of a list of cases, built once for every list that filters them: the case list
 * (`GET /events`, the lists behind the desk's numbers) and the history export. Every value is a
 * bound parameter; a principal limited to grids sees only theirs.
 */
import type { Principal } from '../principal.ts';

/** The filters a list of cases may carry (each query takes the ones it offers). */
export interface CaseFilter {
  status?: readonly string[];
  category?: readonly string[];
  grid?: readonly string[];
  source?: readonly string[];
  urgency?: readonly string[];
  assignee?: readonly string[];
  satisfaction?: readonly number[];
  ids?: readonly number[];
  overdue?: boolean;
  onTime?: boolean;
  /** Which instant `from` and `to` bound: `reported` unless said. */
  at?: string;
  from?: string;
  to?: string;
  /** As the queue's search: the case number, words of the title, description or address, a phone. */
  q?: string;
}

export function caseWhere(p: Principal, f: CaseFilter): { where: string[]; params: Record<string, unknown> } {
  const where = ['community_id = @community'];
  const params: Record<string, unknown> = { community: p.communityId };
  const inList = (col: string, values: readonly (string | number)[] | undefined, key: string) => {
    if (!values) return;
    where.push(`${col} IN (${values.map((_, i) => `@${key}${i}`).join(', ') || 'NULL'})`);
    values.forEach((v, i) => (params[`${key}${i}`] = v));
  };
  inList('status', f.status, 's');
  inList('category', f.category, 'c');
  inList('grid_id', f.grid, 'g');
  inList('source', f.source, 'src');
  inList('urgency', f.urgency, 'u');
  inList('assignee_id', f.assignee, 'a');
  inList('satisfaction', f.satisfaction, 'sat');
  inList('id', f.ids, 'id');
  inList('grid_id', p.grids, 'pg');
  if (f.overdue !== undefined) where.push(`overdue = ${f.overdue ? 1 : 0}`);
  if (f.onTime !== undefined) where.push(`on_time = ${f.onTime ? 1 : 0}`);
  const at = `${f.at ?? 'reported'}_at`;
  if (f.from) (where.push(`${at} >= @from`), (params.from = Date.parse(f.from)));
  if (f.to) (where.push(`${at} < @to`), (params.to = Date.parse(f.to)));
  if (f.q) {
    where.push(`(instr(code, @q) OR instr(lower(title), @q) OR instr(lower(description), @q)
      OR instr(lower(coalesce(address, '')), @q) OR instr(coalesce(reporter_phone, ''), @q))`);
    params.q = f.q.toLowerCase();
  }
  return { where, params };
}
