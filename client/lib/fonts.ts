/**
 * The UI's Chinese font, bundled: a kiosk without Noto CJK (a bare mini-PC, a fresh Windows
 * image) must not show boxes, and the intranet has no font CDN. `@fontsource-variable/noto-sans-sc`
 * is Noto Sans SC (the same design as Noto Sans CJK SC and Source Han Sans SC) as one variable
 * font (every weight from 100 to 900) split into ~100 woff2 slices by `unicode-range`: Vite
 * bundles them as hashed assets and a browser fetches only the slices whose characters a page
 * shows, and only when no font earlier in the stack has them.
 *
 * The stack names the installed copies of the same design first (no download where they are),
 * then the bundled one, then the platforms' own CJK fonts: the wall looks as designed everywhere.
 * Each page's entry point imports the font's CSS (`@fontsource-variable/noto-sans-sc/wght.css`);
 * this module holds only names, so tests and charts can use them without the CSS.
 */

/** The bundled family's name, as its @font-face rules declare it. */
export const BUNDLED_FONT = 'Noto Sans SC Variable';

/** The font stack of the wall and the console (console.css spells the same stack out). */
export const UI_FONT_FAMILY = `"Noto Sans CJK SC", "Source Han Sans SC", "${BUNDLED_FONT}", "Microsoft YaHei", "PingFang SC", sans-serif`;
