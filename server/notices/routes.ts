/**
 * HTTP routes of the notice centre, mounted under /api/v1: a person's notices, newest first
 * with the count of unread ones, and marking one or all of them read. Each person reads and
 * marks only their own: another's notice is a 404.
 */
import { Routes } from '../http/routes.ts';
import { ID, idParam, principal } from '../http/validate.ts';
import { listNoticesQuery, noticePageAnswer, noticesReadAnswer } from '../../shared/notices.ts';
import { OWN } from './access.ts';
import type { NoticeService } from './service.ts';

export function noticeRoutes(notices: NoticeService): Routes {
  const r = new Routes();

  r.get('/notices', { access: OWN, query: listNoticesQuery, response: noticePageAnswer }, (c) =>
    c.json(notices.list(principal(c), c.req.valid('query'))));

  r.post('/notices/read-all', { access: OWN, body: null, response: noticesReadAnswer }, async (c) =>
    c.json(await notices.readAll(principal(c))));

  r.post(`/notices/:id${ID}/read`, { access: OWN, body: null, response: noticesReadAnswer }, async (c) =>
    c.json(await notices.read(principal(c), idParam(c))));

  return r;
}
