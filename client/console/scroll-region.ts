/**
 * A table that scrolls sideways (a narrow window, a phone) must be reachable by the keyboard,
 * or its hidden columns cannot be read without a mouse (WCAG 2.1.1; axe's
 * scrollable-region-focusable). While its content overflows, the wrapper is a focusable region
 * named `label` (the arrow keys then scroll it); otherwise it stays out of the tab order.
 *
 * @example <div class="table-wrap" {@attach scrollRegion(i18n.t('console.nav.audit'))}>
 */
import type { Attachment } from 'svelte/attachments';

export function scrollRegion(label: string): Attachment<HTMLElement> {
  return (node) => {
    const sync = () => {
      if (node.scrollWidth > node.clientWidth + 1) {
        node.tabIndex = 0;
        node.setAttribute('role', 'region');
        node.setAttribute('aria-label', label);
      } else {
        node.removeAttribute('tabindex');
        node.removeAttribute('role');
        node.removeAttribute('aria-label');
      }
    };
    const observer = new ResizeObserver(sync);
    observer.observe(node);
    if (node.firstElementChild) observer.observe(node.firstElementChild);
    sync();
    return () => observer.disconnect();
  };
}
