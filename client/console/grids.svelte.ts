/**
 * The community's grids (from the GeoJSON of `GET /grids`), loaded once when a page first needs
 * them: the grid picker of a grid worker's account, grid names in lists.
 */
import type { Grid } from './types.ts';
import { session } from './session.svelte.ts';
import { i18n } from './i18n.svelte.ts';

interface GridFeature {
  id?: string | number;
  properties?: { id?: string; name_zh?: string; name_en?: string } | null;
}

/** Grids from a GeoJSON FeatureCollection, in the order given. */
export function gridsFromGeoJson(geo: unknown): Grid[] {
  const features = (geo as { features?: unknown } | null)?.features;
  if (!Array.isArray(features)) return [];
  return (features as GridFeature[]).flatMap((f) => {
    const id = f.properties?.id ?? (f.id === undefined ? undefined : String(f.id));
    if (!id) return [];
    const zh = f.properties?.name_zh ?? id;
    return [{ id, name: { zh, en: f.properties?.name_en ?? zh } }];
  });
}

class Grids {
  list = $state.raw<Grid[]>([]);
  loaded = $state(false);
  #loading: Promise<void> | null = null;

  load(): Promise<void> {
    this.#loading ??= session.api.get<unknown>('/grids').then(
      (geo) => {
        this.list = gridsFromGeoJson(geo);
        this.loaded = true;
      },
      () => {
        this.#loading = null; // try again next time a page asks
      },
    );
    return this.#loading;
  }

  /** Fetch again (after an import). */
  reload(): Promise<void> {
    this.#loading = null;
    return this.load();
  }

  /** A grid's name in the console's language, or its id when unknown. */
  name = (id: string): string => {
    const g = this.list.find((x) => x.id === id);
    return g ? i18n.pick(g.name) : id;
  };
}

export const grids = new Grids();
