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

echarts.use([BarChart, LineChart, GridComponent, LegendPlainComponent, TooltipComponent, CanvasRenderer]);

export type ECOption = echarts.ComposeOption<
  | BarSeriesOption | EffectScatterSeriesOption | LineSeriesOption | SankeySeriesOption | ScatterSeriesOption
  | GeoComponentOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

/** What a chart's `engine` loader gives: ECharts with the parts that chart needs registered. */
export type Engine = typeof echarts;

export { echarts };
