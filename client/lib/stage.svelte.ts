/**
 * The fixed design canvas (1920×1080) and how it fits the window: one uniform scale, centred,
 * letterboxed. `chartPixelRatio` is what ECharts should render at so that canvases stay crisp
 * after the CSS transform (4K → 2, 1280×800 → 0.67, 150 % OS scaling included).
 */
export const DESIGN_WIDTH = 1920;
export const DESIGN_HEIGHT = 1080;

class Stage {
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

  #fit() {
    const w = window.innerWidth || DESIGN_WIDTH;
    const h = window.innerHeight || DESIGN_HEIGHT;
    const scale = Math.min(w / DESIGN_WIDTH, h / DESIGN_HEIGHT);
    this.scale = scale;
    this.offsetX = Math.round((w - DESIGN_WIDTH * scale) / 2);
    this.offsetY = Math.round((h - DESIGN_HEIGHT * scale) / 2);
    this.devicePixelRatio = window.devicePixelRatio || 1;
  }
}

export const stage = new Stage();
