/**
 * Screen strings not (yet) in `shared/i18n.ts`. Each key here is listed for the lead to move
 * into the shared catalogues; until then the screen's `t()` looks here after the shared ones.
 */
import type { Locale } from '../../shared/i18n.ts';

const zhCN = {
  'screen.loading': '正在加载数据…',
  'map.loading': '正在加载网格地图…',
  'map.noLocation': '无坐标',
  'tooltip.code': '编号',
  'tooltip.status': '状态',
  'tooltip.grid': '网格',
  'tooltip.category': '类别',
  'tooltip.overdue': '已超期',
  'grid.none': '未划网格',
  'rank.empty': '暂无网格数据',
  'categories.empty': '暂无分类数据',
  'lang.aria': '切换语言',
  'conn.stale.short': '数据延迟',
  'conn.offline.short': '连接中断',
  'conn.connecting': '正在连接…',
} as const;

export type ExtraKey = keyof typeof zhCN;

const en: Record<ExtraKey, string> = {
  'screen.loading': 'Loading data…',
  'map.loading': 'Loading grid map…',
  'map.noLocation': 'No location',
  'tooltip.code': 'Code',
  'tooltip.status': 'Status',
  'tooltip.grid': 'Grid',
  'tooltip.category': 'Category',
  'tooltip.overdue': 'Overdue',
  'grid.none': 'No grid',
  'rank.empty': 'No grid data yet',
  'categories.empty': 'No category data yet',
  'lang.aria': 'Switch language',
  'conn.stale.short': 'Delayed',
  'conn.offline.short': 'Offline',
  'conn.connecting': 'Connecting…',
};

export const EXTRA: Record<Locale, Record<ExtraKey, string>> = { 'zh-CN': zhCN, en };
