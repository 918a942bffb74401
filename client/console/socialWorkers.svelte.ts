/**
 * The community's social-worker records (社工档案, `GET /social-workers`), loaded once when a page
 * first needs them: the record picker of a social worker's account, the linked names in the
 * users list. Active ones first, those on leave next, those who have left last; by name within.
 */
import type { SocialWorker, WorkerStatus } from './types.ts';
import { session } from './session.svelte.ts';
import { i18n } from './i18n.svelte.ts';

const PAGE = 200;
const STATUS_ORDER: Record<WorkerStatus, number> = { active: 0, on_leave: 1, left: 2 };

class SocialWorkers {
  list = $state.raw<SocialWorker[]>([]);
  loaded = $state(false);
  /** The last load failed (shown by the picker; the next `load()` tries again). */
  failed = $state(false);
  #loading: Promise<void> | null = null;

  load(): Promise<void> {
    this.#loading ??= this.#fetchAll().then(
      (all) => {
        this.list = all.sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.name.localeCompare(b.name, 'zh-CN'));
        this.loaded = true;
        this.failed = false;
      },
      () => {
        this.failed = true;
        this.#loading = null; // try again next time a page asks
      },
    );
    return this.#loading;
  }

  async #fetchAll(): Promise<SocialWorker[]> {
    const all: SocialWorker[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: SocialWorker[]; nextCursor: string | null } = await session.api.get('/social-workers', { limit: PAGE, cursor });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  byId = (id: number): SocialWorker | undefined => this.list.find((w) => w.id === id);

  /** A record's name, with a word when not at work (“王芳（已离职）”); `#id` when unknown. */
  label = (id: number): string => {
    const w = this.byId(id);
    if (!w) return `#${id}`;
    if (w.status === 'left') return i18n.t('console.users.workerLeft', { name: w.name });
    if (w.status === 'on_leave') return i18n.t('console.users.workerOnLeave', { name: w.name });
    return w.name;
  };
}

export const socialWorkers = new SocialWorkers();
