/** Formatting for the wall: numbers as people read them, times in the community's zone. */
import { wallTime } from '../../shared/time.ts';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `14:05` for an ISO instant, read in `timeZone` (never the browser's zone). */
export function hhmm(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '--:--';
  const w = wallTime(ms, timeZone);
  return `${pad2(w.hour)}:${pad2(w.minute)}`;
}

/** The hour of an ISO instant in `timeZone`, as `08:00`. */
export function hourLabel(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  return `${pad2(wallTime(ms, timeZone).hour)}:00`;
}

/** A 0–1 rate as a percentage with one decimal (`87.5`); `100` stays `100`. */
export function percentText(percent: number): string {
  const p = Math.min(100, Math.max(0, percent));
  return p >= 99.95 ? '100' : p.toFixed(1);
}

/** Minutes as hours with one decimal, or whole minutes under an hour. */
export function durationParts(minutes: number): { value: string; unit: 'hours' | 'minutes' } {
  if (minutes < 59.5) return { value: String(Math.max(0, Math.round(minutes))), unit: 'minutes' };
  return { value: (minutes / 60).toFixed(1), unit: 'hours' };
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;',
};

/** Text for innerHTML (ECharts tooltips): user text stays text. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * Grid names often read `第一网格·桂花苑` / `Grid 1 · Guihua Garden`: a number and a place.
 * Returns the two parts (the second empty when there is no separator).
 */
export function splitGridName(name: string): [string, string] {
  const m = /^(.+?)\s*[·・•]\s*(.+)$/u.exec(name);
  return m ? [m[1]!, m[2]!] : [name, ''];
}

/** The place part of a grid name where room is short (`桂花苑`), or the whole name. */
export function shortGridName(name: string): string {
  const [a, b] = splitGridName(name);
  return b || a;
}
