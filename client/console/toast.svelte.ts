/**
 * Short confirmations ("user created") in one polite live region at the corner of the page.
 * Each goes away by itself after a few seconds; at most a handful are kept.
 */

export interface Toast {
  id: number;
  text: string;
  tone: 'success' | 'error' | 'info';
}

const SHOW_MS = 5_000;
const MAX = 3;

class Toasts {
  items = $state.raw<Toast[]>([]);
  #next = 1;

  show(text: string, tone: Toast['tone'] = 'success') {
    const id = this.#next++;
    this.items = [...this.items, { id, text, tone }].slice(-MAX);
    setTimeout(() => this.dismiss(id), tone === 'error' ? SHOW_MS * 2 : SHOW_MS);
  }

  dismiss(id: number) {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();
