/** ECharts with the grid map's parts: the geo component, scatter and ripple (effect-scatter) points. */
import { EffectScatterChart, ScatterChart } from 'echarts/charts';
import { GeoComponent } from 'echarts/components';
import { echarts } from './echarts.ts';

echarts.use([GeoComponent, ScatterChart, EffectScatterChart]);

export { echarts };
