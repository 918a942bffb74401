/**
 * The field app's service worker (tablet-sw.js, scope /tablet) from the page's side: registered
 * at start; a new version waits while this tablet holds unsent records — the bar says
 * "有新版本 · 待同步完成后更新" with "现在更新" — and takes over by itself once they are sent.
 * A worker that takes over reloads the page once, so page and worker are of one build.
 */
class Updates {
  /** A new worker is installed and waiting. */
  waiting = $state(false);
  #reg: ServiceWorkerRegistration | null = null;
  #applying = false;

  async register(hasUnsent: () => boolean) {
    if (!('serviceWorker' in navigator)) return;
    try {
      this.#reg = await navigator.serviceWorker.register('/tablet-sw.js', { scope: '/tablet' });
    } catch {
      return; // not a secure origin, or refused: the app works, only not from a cold offline start
    }
    const reg = this.#reg;
    const seen = () => {
      if (reg.waiting && navigator.serviceWorker.controller) {
        this.waiting = true;
        this.applyWhenSent(hasUnsent);
      }
    };
    reg.addEventListener('updatefound', () => {
      reg.installing?.addEventListener('statechange', seen);
    });
    seen();
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (this.#applying) location.reload();
    });
    document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && void reg.update().catch(() => {}));
  }

  /** Take the new version now if nothing is unsent. */
  applyWhenSent(hasUnsent: () => boolean) {
    if (this.waiting && !hasUnsent()) this.apply();
  }

  /** Take the new version now (the worker accepted, or nothing waits). */
  apply() {
    const w = this.#reg?.waiting;
    if (!w) return;
    this.#applying = true;
    w.postMessage('skip-waiting');
  }
}

export const updates = new Updates();
