/**
 * The grid worker's field logs and register on the tablet: the patrol running now (kept in
 * IndexedDB per owner, so a reload or an offline start finds it) and the register of the
 * worker's grids — what each grid holds, its buildings, households and residents — as last
 * loaded from `/register/*`, kept so they open with no network. What the worker records goes
 * through the outbox like every other record (records.ts); the rules are patrol.ts and register.ts.
 */
import type { BuildingView, GridSummaryView, HouseholdView, ResidentView } from '../../shared/register.ts';
import { i18n } from './i18n.svelte.ts';
import { tablet } from './state.svelte.ts';
import { outbox } from './outbox/outbox.svelte.ts';
import { patrolBody, startPatrol, withNote, withoutNote, type RunningPatrol } from './patrol.ts';
import { patrolRecord } from './records.ts';

interface Page<T> { items: T[]; nextCursor: string | null }
export interface KeptRegister {
  grids: GridSummaryView[];
  buildings: BuildingView[];
  households: HouseholdView[];
  residents: ResidentView[];
  /** When it was loaded (ISO). */
  at: string;
}

const PAGE = 500;
/**
 * The register is loaded again at most this often (every read of residents is logged by the
 * server, and the tasks refresh on every return to the page), or at once after the worker's own
 * additions or corrections were received.
 */
const REGISTER_EVERY_MS = 5 * 60_000;

class FieldState {
  patrol = $state.raw<RunningPatrol | null>(null);
  register = $state.raw<KeptRegister | null>(null);
  /** The register shown is the kept copy (the last load failed). */
  kept = $state(false);
  #owner: string | null = null;
  #loadedAt = 0;

  /** The kept patrol and register of whoever holds the tablet now (once per person), then fresh ones. */
  async refresh() {
    const owner = tablet.user?.username;
    if (!owner || !tablet.store) return;
    if (this.#owner !== owner) {
      this.#owner = owner;
      this.patrol = (await tablet.store.get<RunningPatrol>(`patrol:${owner}`)) ?? null;
      this.register = (await tablet.store.get<KeptRegister>(`register:${owner}`)) ?? null;
      this.kept = this.register !== null;
      this.#loadedAt = 0;
    }
    const since = this.#loadedAt;
    const changed = outbox.mine.some((e) => (e.kind === 'resident_add' || e.kind === 'resident_fix') && e.receipt && Date.parse(e.receipt.at) >= since);
    if (!changed && Date.now() - since < REGISTER_EVERY_MS) return;
    // Stamped when asked, so a record received while the answer was on its way loads it again.
    const asked = Date.now();
    try {
      const [grids, buildings, households, residents] = await Promise.all([
        tablet.api.get<{ items: GridSummaryView[] }>('/register/grids').then((a) => a.items),
        this.#all<BuildingView>('/register/buildings'),
        this.#all<HouseholdView>('/register/households'),
        this.#all<ResidentView>('/register/residents'),
      ]);
      if (tablet.user?.username !== owner) return;
      const fresh = { grids, buildings, households, residents, at: new Date().toISOString() };
      this.register = fresh;
      this.kept = false;
      this.#loadedAt = asked;
      await tablet.store.set(`register:${owner}`, fresh);
    } catch {
      // offline, or the server said no: the kept copy stands
      this.kept = this.register !== null;
    }
  }

  async #all<T>(path: string): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<T> = await tablet.api.get<Page<T>>(path, { limit: PAGE, ...(cursor ? { cursor } : {}) });
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  /** The worker's grids: those the register names, else those of the map. */
  get gridIds(): string[] {
    return this.register?.grids.map((g) => g.gridId) ?? [];
  }

  gridName(id: string): string {
    const g = tablet.grids.find((x) => x.id === id);
    return g ? i18n.pick(g.name) : id;
  }

  async start(gridId: string, route: string) {
    if (!tablet.user || this.patrol) return;
    await this.#keep(startPatrol(tablet.user.username, gridId, route, Date.now()));
  }

  async note(text: string) {
    if (this.patrol) await this.#keep(withNote(this.patrol, text, Date.now()));
  }

  async dropNote(index: number) {
    if (this.patrol) await this.#keep(withoutNote(this.patrol, index));
  }

  async setRoute(route: string) {
    if (this.patrol) await this.#keep({ ...this.patrol, route: route.slice(0, 200) });
  }

  /** End the patrol: one outbox record, kept before the running patrol is forgotten. */
  async end(summary: string, label: string) {
    if (!this.patrol || !tablet.user) return;
    await outbox.add(patrolRecord(tablet.user.username, label, patrolBody(this.patrol, summary, Date.now())));
    await this.#keep(null);
  }

  async discard() {
    await this.#keep(null);
  }

  async #keep(p: RunningPatrol | null) {
    this.patrol = p;
    const owner = tablet.user?.username;
    if (tablet.store && owner) await tablet.store.set(`patrol:${owner}`, p);
  }
}

export const field = new FieldState();
tablet.alsoRefresh(() => field.refresh());
