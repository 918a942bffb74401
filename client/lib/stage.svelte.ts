/**
 * The fixed design canvas (1920×1080, or several side by side on a wide wall) and how it fits
 * the window: one uniform scale, centred, letterboxed. `chartPixelRatio` is what ECharts should render at so that canvases stay crisp
 * after the CSS transform (4K → 2, 1280×800 → 0.67, 150 % OS scaling included).
 */
export const DESIGN_WIDTH = 1920;
export const DESIGN_HEIGHT = 1080;

class Stage {
  /**
   * How many 16:9 canvases stand side by side: 1, or more on a wide wall (client/lib/wide.ts).
   * The stage is `DESIGN_WIDTH × columns` wide; the live wall sets it, the pairing screen never.
   */
  columns = $state(1);
  /** The window, in CSS pixels: what the wall's layout is chosen by. */
  windowWidth = $state(DESIGN_WIDTH);
  windowHeight = $state(DESIGN_HEIGHT);
  scale = $state(1);
  offsetX = $state(0);
  offsetY = $state(0);
  devicePixelRatio = $state(1);
  /** Rounded to two decimals so tiny resize jitter does not re-create charts. */
  chartPixelRatio = $derived(Math.max(0.5, Math.round(this.devicePixelRatio * this.scale * 100) / 100));

  #started = false;
  #frame = 0;
  #dprQuery: MediaQueryList | null = null;

  start() {
    if (this.#started) return;
    this.#started = true;
    this.#fit();
    window.addEventListener('resize', this.#onResize);
    this.#watchDpr();
  }

  #onResize = () => {
    cancelAnimationFrame(this.#frame);
    this.#frame = requestAnimationFrame(() => this.#fit());
  };

  /** devicePixelRatio changes (OS scaling, browser zoom, another monitor) without a resize sometimes. */
  #watchDpr() {
    this.#dprQuery?.removeEventListener('change', this.#onDprChange);
    this.#dprQuery = matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
    this.#dprQuery.addEventListener('change', this.#onDprChange);
  }

  #onDprChange = () => {
    this.#fit();
    this.#watchDpr();
  };

  /** Lay out `n` canvases side by side (1 for the classic 16:9 wall). */
  setColumns(n: number) {
    if (n === this.columns) return;
    this.columns = n;
    if (this.#started) this.#fit();
  }

  #fit() {
    const w = window.innerWidth || DESIGN_WIDTH;
    const h = window.innerHeight || DESIGN_HEIGHT;
    this.windowWidth = w;
    this.windowHeight = h;
    const width = DESIGN_WIDTH * this.columns;
    const scale = Math.min(w / width, h / DESIGN_HEIGHT);
    this.scale = scale;
    this.offsetX = Math.round((w - width * scale) / 2);
    this.offsetY = Math.round((h - DESIGN_HEIGHT * scale) / 2);
    this.devicePixelRatio = window.devicePixelRatio || 1;
  }
}

export const stage = new Stage();
