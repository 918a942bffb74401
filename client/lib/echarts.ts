/**
 * ECharts, tree-shaken: only what the screen draws is registered, so the bundle stays small.
 */
import * as echarts from 'echarts/core';
import { BarChart, EffectScatterChart, LineChart, ScatterChart } from 'echarts/charts';
import type {
  BarSeriesOption, EffectScatterSeriesOption, LineSeriesOption, ScatterSeriesOption,
} from 'echarts/charts';
import { GeoComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import type {
  GeoComponentOption, GridComponentOption, LegendComponentOption, TooltipComponentOption,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  BarChart, EffectScatterChart, LineChart, ScatterChart,
  GeoComponent, GridComponent, LegendComponent, TooltipComponent,
  CanvasRenderer,
]);

export type ECOption = echarts.ComposeOption<
  | BarSeriesOption | EffectScatterSeriesOption | LineSeriesOption | ScatterSeriesOption
  | GeoComponentOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

export { echarts };
