/**
 * ECharts, tree-shaken: only what the screen draws is registered, so the bundle stays small.
 */
import * as echarts from 'echarts/core';
import { BarChart, EffectScatterChart, LineChart, SankeyChart, ScatterChart } from 'echarts/charts';
import type {
  BarSeriesOption, EffectScatterSeriesOption, LineSeriesOption, SankeySeriesOption, ScatterSeriesOption,
} from 'echarts/charts';
import { GeoComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import type {
  GeoComponentOption, GridComponentOption, LegendComponentOption, TooltipComponentOption,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { getWidth } from 'zrender/lib/contain/text.js';

echarts.use([
  BarChart, EffectScatterChart, LineChart, SankeyChart, ScatterChart,
  GeoComponent, GridComponent, LegendComponent, TooltipComponent,
  CanvasRenderer,
]);

export type ECOption = echarts.ComposeOption<
  | BarSeriesOption | EffectScatterSeriesOption | LineSeriesOption | SankeySeriesOption | ScatterSeriesOption
  | GeoComponentOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

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
