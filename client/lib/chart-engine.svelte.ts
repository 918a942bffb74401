/**
 * How a chart gets ECharts: on demand, in the parts it draws (see echarts.ts), so the page's
 * first scene is shown without waiting for the chart engine. `loading` counts the loads under
 * way: the wall calls itself ready only when none is left.
 */
import { untrack } from 'svelte';
import { loadChunk } from './chunk.ts';
import type { Engine } from './echarts.ts';

/** Gives ECharts with a chart's parts registered: `() => import('./echarts-map.ts')`. */
export type EngineLoader = () => Promise<{ echarts: Engine }>;

/** Bars, lines, legend and tooltip on a cartesian grid: what most charts draw. */
export const cartesianEngine: EngineLoader = () => import('./echarts.ts');
/** Also the geo component and (ripple) scatter points: the grid map, and its registration. */
export const mapEngine: EngineLoader = () => import('./echarts-map.ts');
/** Also the Sankey: the linkage flow of the subjects scene. */
export const sankeyEngine: EngineLoader = () => import('./echarts-sankey.ts');

class ChartEngines {
  /** Loads of a chart engine under way. */
  loading = $state(0);

  /** ECharts with `loader`'s parts. Called from effects: the count is written, never read, here. */
  async load(loader: EngineLoader): Promise<Engine> {
    untrack(() => this.loading++);
    try {
      return (await loadChunk(loader)).echarts;
    } finally {
      untrack(() => this.loading--);
    }
  }
}

export const chartEngines = new ChartEngines();

let live = 0;

/**
 * Count chart instances as they are created and disposed, and mirror the count on
 * `<html data-charts>`: a wall that switches scenes for weeks must come back to the same number
 * (the e2e test cycles the scenes and reads it).
 */
export function countChart(delta: 1 | -1) {
  live += delta;
  if (typeof document !== 'undefined') document.documentElement.dataset.charts = String(live);
}
