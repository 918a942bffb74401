/**
 * The digital yellow handkerchief's page (`/safe/<token>`): what a household's printed link or
 * QR code opens, on whatever phone the resident has. Plain HTML from the server, two huge
 * buttons in two forms, no script: it works on a cheap phone with JavaScript off, on 2G, in
 * WeChat's browser. Chinese first, English beneath. A press posts the form, the server keeps
 * the answer (server/emergency/board.ts `selfReport`) and sends the page again (303) saying
 * what it received; a refresh does not post twice.
 *
 * It shows the building at most (幸福路12号3栋: what the resident knows), never a room or a
 * name; a wrong token is the same plain 404 whatever it was. The JSON twin for other clients is
 * `GET/POST /api/v1/safe/<token>` (board-routes.ts).
 */
import { Hono, type Context } from 'hono';
import { translate, type MessageKey } from '../../shared/i18n.ts';
import { safeWord, type SafeKey } from './safe-words.ts';
import { SAFE_TOKEN, type SelfReportView } from '../../shared/emergency-board.ts';
import { originAllowed } from '../auth/guards.ts';
import { clientIp } from '../auth/gate.ts';
import { RateLimiter } from '../auth/rate-limit.ts';
import { DomainError } from '../errors.ts';
import type { BoardService } from './board.ts';
import { SAFE_LIMIT } from './board-routes.ts';

export interface SafePageOptions {
  board: BoardService;
  allowedOrigins: readonly string[];
  trustProxy: boolean;
}

type Word = SafeKey | MessageKey;
const isSafe = (key: Word): key is SafeKey => key.startsWith('safe.');
const zh = (key: Word, params?: Record<string, string>) => (isSafe(key) ? safeWord('zh-CN', key, params) : translate('zh-CN', key, params));
const en = (key: Word, params?: Record<string, string>) => (isSafe(key) ? safeWord('en', key, params) : translate('en', key, params));
const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The page's style: served as a file (the policy allows no inline style), cached a day. */
const CSS = `
*{box-sizing:border-box}
body{margin:0;font:18px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#fffbe6;color:#1a1a1a}
main{max-width:30rem;margin:0 auto;padding:1.25rem 1rem 2rem}
h1{font-size:1.75rem;margin:.25rem 0 .5rem}
.en{color:#555;font-size:.9rem;margin:0}
.place{font-size:1.25rem;font-weight:600;margin:.75rem 0 .25rem}
.headline{margin:.25rem 0 1rem}
.drill{display:inline-block;background:#1565d8;color:#fff;border-radius:.25rem;padding:0 .5rem;font-size:.9rem}
form{margin:1rem 0}
button{display:block;width:100%;min-height:6rem;border:0;border-radius:1rem;font-size:2rem;font-weight:700;cursor:pointer;padding:.5rem}
button small{display:block;font-size:1rem;font-weight:400}
.safe{background:#1f8f3a;color:#fff}
.help{background:#d7191c;color:#fff}
.note{background:#fff;border-left:.375rem solid #f7c600;padding:.75rem 1rem;margin:1rem 0;font-size:1.1rem}
.current{color:#333;margin-top:1.5rem}
`;

export function safePage(o: SafePageOptions): Hono {
  const app = new Hono();
  const limit = new RateLimiter({ ...SAFE_LIMIT, now: () => Date.now() });

  const page = (c: Context, status: 200 | 404 | 409 | 429, body: string) => {
    c.header('Cache-Control', 'no-store');
    // Not no-referrer (every other answer's): under it a browser posts the page's own form with
    // `Origin: null`, which the origin check refuses, so the resident's press said "link not
    // valid". same-origin still keeps the token in the address from any other site.
    c.header('Referrer-Policy', 'same-origin');
    return c.html(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(zh('safe.title'))}</title><link rel="stylesheet" href="/safe-page.css"></head>
<body><main>${body}</main></body></html>`, status);
  };
  const message = (c: Context, status: 404 | 409 | 429, key: SafeKey) =>
    page(c, status, `<h1>${esc(zh('safe.title'))}</h1><p class="note">${esc(zh(key))}</p><p class="en">${esc(en(key))}</p>`);

  /** The token, or a plain page saying no (the same for a malformed and an unknown one). */
  const allowed = (c: Context): string | Response => {
    const ip = clientIp(c, o.trustProxy) ?? 'unknown';
    if (!limit.take(ip)) return message(c, 429, 'safe.tooMany');
    const token = c.req.param('token') ?? '';
    return SAFE_TOKEN.test(token) ? token : message(c, 404, 'safe.notFound');
  };

  const show = (c: Context, token: string, view: SelfReportView, done: string | undefined) => {
    const status = view.status;
    const statusText = zh(`board.status.${status}` as MessageKey);
    const thanks = done === 'safe' ? 'safe.thanksSafe' : done === 'needs_help' ? 'safe.thanksHelp' : null;
    const button = (value: 'safe' | 'needs_help', cls: string, key: SafeKey) =>
      `<form method="post" action="/safe/${token}"><input type="hidden" name="status" value="${value}">` +
      `<button class="${cls}" type="submit">${esc(zh(key))}<small>${esc(en(key))}</small></button></form>`;
    return page(c, 200, [
      `<h1>${esc(zh('safe.title'))} ${view.drill ? `<span class="drill">${esc(zh('safe.drill'))}</span>` : ''}</h1>`,
      `<p class="en">${esc(en('safe.title'))}</p>`,
      `<p class="place">${esc(view.place)}</p>`,
      `<p class="headline">${esc(view.headline)}</p>`,
      thanks ? `<p class="note">${esc(zh(thanks))}<br><span class="en">${esc(en(thanks))}</span></p>` : '',
      view.active
        ? `<p>${esc(zh('safe.intro'))}<br><span class="en">${esc(en('safe.intro'))}</span></p>${button('safe', 'safe', 'safe.imSafe')}${button('needs_help', 'help', 'safe.needHelp')}`
        : `<p class="note">${esc(zh('safe.ended'))}<br><span class="en">${esc(en('safe.ended'))}</span></p>`,
      `<p class="current">${esc(zh('safe.current', { status: statusText }))}</p>`,
    ].join('\n'));
  };

  app.get('/safe-page.css', (c) => {
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });

  app.get('/safe/:token', (c) => {
    const token = allowed(c);
    if (typeof token !== 'string') return token;
    const view = o.board.selfView(token);
    return view ? show(c, token, view, c.req.query('done')) : message(c, 404, 'safe.notFound');
  });

  app.post('/safe/:token', async (c) => {
    if (!originAllowed(c.req.header('origin'), c.req.header('host'), o.allowedOrigins)) return message(c, 404, 'safe.notFound');
    const token = allowed(c);
    if (typeof token !== 'string') return token;
    const form = await c.req.parseBody().catch(() => ({} as Record<string, unknown>));
    const status = form.status === 'safe' || form.status === 'needs_help' ? form.status : null;
    if (!status) return c.redirect(`/safe/${token}`, 303);
    try {
      const view = await o.board.selfReport(token, status);
      if (!view) return message(c, 404, 'safe.notFound');
    } catch (err) {
      if (err instanceof DomainError && err.code === 'error.incident_ended') return message(c, 409, 'safe.ended');
      throw err;
    }
    return c.redirect(`/safe/${token}?done=${status}`, 303);
  });
  return app;
}
