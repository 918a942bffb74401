/**
 * ECharts, tree-shaken and loaded on demand: the page shows its first scene without waiting for
 * it (`EChart.svelte` imports this module when its chart is first drawn). This module holds what
 * every chart uses (the canvas renderer, the cartesian grid, bars and lines, legend, tooltip);
 * the map's parts (`echarts-map.ts`) and the Sankey (`echarts-sankey.ts`) come with the charts
 * that draw them.
 */
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import type {
  BarSeriesOption, EffectScatterSeriesOption, LineSeriesOption, SankeySeriesOption, ScatterSeriesOption,
} from 'echarts/charts';
import { GridComponent, LegendPlainComponent, TooltipComponent } from 'echarts/components';
import type {
  GeoComponentOption, GridComponentOption, LegendComponentOption, TooltipComponentOption,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { getWidth } from 'zrender/lib/contain/text.js';

echarts.use([BarChart, LineChart, GridComponent, LegendPlainComponent, TooltipComponent, CanvasRenderer]);

export type ECOption = echarts.ComposeOption<
  | BarSeriesOption | EffectScatterSeriesOption | LineSeriesOption | SankeySeriesOption | ScatterSeriesOption
  | GeoComponentOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

/** What a chart's `engine` loader gives: ECharts with the parts that chart needs registered. */
export type Engine = typeof echarts;

export { echarts };

/** How many fonts zrender keeps text measurements for (`LRU(100)` in zrender/lib/contain/text). */
const MEASURED_FONTS = 100;

/**
 * Forget the text widths zrender has measured. It keeps them per font string for good, so labels
 * laid out while the bundled font's slices were still loading (measured in a fallback) would stay
 * cut or overlapping after the slices arrive. zrender offers no reset: measuring as many other
 * fonts as it keeps pushes the stale ones out of its cache. Cheap (a few hundred measurements),
 * and needed only when web fonts finished loading.
 */
export function forgetTextWidths() {
  for (let i = 0; i < MEASURED_FONTS; i++) getWidth('', `1px cerebellum-forget-${i}`);
}
