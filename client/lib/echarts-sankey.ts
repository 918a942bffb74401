/** ECharts with the Sankey of the linkage flow (the subjects scene). */
import { SankeyChart } from 'echarts/charts';
import { echarts } from './echarts.ts';

echarts.use([SankeyChart]);

export { echarts };
