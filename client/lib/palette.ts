/** Colours of the dark wall theme, shared by the CSS-free parts (charts) and the markup. */
import type { Status } from '../../shared/lifecycle.ts';
import { UI_FONT_FAMILY } from './fonts.ts';

export const THEME = {
  text: '#d8ecff',
  textDim: '#8fb3d9',
  textFaint: '#5d7fa6',
  accent: '#29d4ff',
  accent2: '#3d7bff',
  good: '#3ee089',
  warn: '#ffb020',
  alarm: '#ff4d4f',
  axis: 'rgba(120, 170, 230, 0.35)',
  split: 'rgba(120, 170, 230, 0.12)',
  tooltipBg: 'rgba(6, 20, 44, 0.94)',
  tooltipBorder: 'rgba(41, 212, 255, 0.55)',
} as const;

export const FONT_FAMILY = UI_FONT_FAMILY;

/** A colour per status, readable on navy; overdue overrides these with `THEME.alarm`. */
export const STATUS_COLORS: Record<Status, string> = {
  reported: '#69b1ff',
  accepted: '#36cfc9',
  rejected: '#6b7a8c',
  dispatched: '#4d8bff',
  in_progress: '#ffc53d',
  resolved: '#95de64',
  returned: '#ff9c6e',
  shelved: '#9aa7b8',
  closed: '#5e7d99',
  reviewed: '#5e7d99',
  merged: '#6b7a8c',
};

/** The look every chart tooltip shares (its text is always escaped by the chart's formatter). */
export const TOOLTIP_STYLE = {
  className: 'ec-tip',
  backgroundColor: THEME.tooltipBg,
  borderColor: THEME.tooltipBorder,
  textStyle: { color: THEME.text, fontSize: 18, fontFamily: FONT_FAMILY },
};
