/**
 * Whether the display should keep motion to a minimum: the OS asks for it
 * (`prefers-reduced-motion`), or the page was opened with `?motion=reduced` — for kiosk PCs
 * without a GPU, where the map's ripples alone can keep a CPU core busy. Read once at start.
 */
export const reducedMotion: boolean =
  (typeof location !== 'undefined' && new URLSearchParams(location.search).get('motion') === 'reduced')
  || (typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches);
