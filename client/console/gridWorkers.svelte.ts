/**
 * The community's grid-worker records (网格员, `GET /community/workers`, admins only), loaded
 * when a page needs them: the grid-workers page, the record picker of a grid worker's account.
 * `reload()` after a change.
 */
import type { GridWorkerView } from '../../shared/community.ts';
import { itemsOf } from '../lib/api.ts';
import { session } from './session.svelte.ts';
import { i18n } from './i18n.svelte.ts';

class GridWorkers {
  list = $state.raw<GridWorkerView[]>([]);
  loaded = $state(false);
  /** The last load failed (the next `load()` tries again). */
  failed = $state(false);
  #loading: Promise<void> | null = null;

  load(): Promise<void> {
    this.#loading ??= session.api.get<{ items: GridWorkerView[] }>('/community/workers').then(
      (r) => {
        this.list = itemsOf(r);
        this.loaded = true;
        this.failed = false;
      },
      () => {
        this.failed = true;
        this.#loading = null;
      },
    );
    return this.#loading;
  }

  reload(): Promise<void> {
    this.#loading = null;
    return this.load();
  }

  byId = (id: string): GridWorkerView | undefined => this.list.find((w) => w.id === id);

  /** A record's name and id, with a word when retired (“李娜 · XW01（已退出）”); the id when unknown. */
  label = (id: string): string => {
    const w = this.byId(id);
    if (!w) return id;
    const name = `${w.name} · ${w.id}`;
    return w.status === 'retired' ? i18n.t('console.users.gridWorkerRetired', { name }) : name;
  };
}

export const gridWorkers = new GridWorkers();
