/**
 * HTTP routes for donations, the community fund, goods and disbursements, mounted under /api/v1
 * by `createHttpApp`, all under `/charity`. Same rules as the other APIs: every body and query is
 * checked with the zod schemas in shared/charity.ts, a bad one is a 400 naming each field and
 * writes nothing; a missing thing is a 404, a refused one (an overdraft, too little stock, a
 * closed project) a 409. Errors are DomainErrors, answered by the parent app's error handler.
 */
import { Routes } from '../http/routes.ts';
import { ID, idParam, limitedBody, principal, timeZoneOf } from '../http/validate.ts';
import { sheetLocale, sheetResponse } from '../http/sheet.ts';
import { actorOf, type AuditEntry } from '../auth/audit.ts';
import { localDay } from '../../shared/time.ts';
import type { CharityService } from './service.ts';
import { RECEIVE, RECORDS, STAFF } from './access.ts';
import { viewDisbursement, viewDonation, viewFundLine, viewGoods, viewMovement } from './record.ts';
import {
  charityExportQuery, charityPageQuery, disburseBody, listDisbursementsQuery, listDonationsQuery, listGoodsQuery, recordDonationBody,
} from '../../shared/charity.ts';

/** A donation names its donor: opening one, or a page of them, is a read of someone's record to log. */
const DONOR = ['donorName', 'donorPhone'];

/** The routes; the parent sets the principal (`c.get('principal')`) before they run. */
export function charityRoutes(svc: CharityService, auditSoon: (entry: AuditEntry) => void = () => {}): Routes {
  const r = new Routes();
  const limited = limitedBody();

  const tz = timeZoneOf(svc);

  // ---- donations ----------------------------------------------------------------------------

  r.post('/charity/donations', { access: RECEIVE, body: recordDonationBody }, limited, async (c) => {
    const d = await svc.donations.record(principal(c), c.req.valid('json'));
    return c.json({ donation: viewDonation(d, tz(c)) }, 201);
  });

  r.get('/charity/donations', { access: RECORDS, reads: { targetType: 'donations', at: 'items', personal: DONOR }, query: listDonationsQuery }, (c) => {
    const page = svc.donations.list(principal(c), c.req.valid('query'));
    return c.json({ items: page.items.map((d) => viewDonation(d, tz(c))), nextCursor: page.nextCursor });
  });

  r.get(`/charity/donations/:id${ID}`, { access: RECORDS, reads: { targetType: 'donations', at: 'donation', personal: DONOR } }, (c) => c.json({ donation: viewDonation(svc.donations.get(principal(c), idParam(c)), tz(c)) }));

  r.get('/charity/receipts/:no', { access: RECORDS, reads: { targetType: 'donations', at: 'donation', personal: DONOR } }, (c) => c.json({ donation: viewDonation(svc.donations.receipt(principal(c), c.req.param('no')), tz(c)) }));

  // ---- disbursements ------------------------------------------------------------------------

  r.post('/charity/disbursements', { access: RECEIVE, body: disburseBody }, limited, async (c) => {
    const b = await svc.disbursements.disburse(principal(c), c.req.valid('json'));
    return c.json({ disbursement: viewDisbursement(b, tz(c)) }, 201);
  });

  r.get('/charity/disbursements', { access: RECORDS, query: listDisbursementsQuery }, (c) => {
    const page = svc.disbursements.list(principal(c), c.req.valid('query'));
    return c.json({ items: page.items.map((b) => viewDisbursement(b, tz(c))), nextCursor: page.nextCursor });
  });

  r.get(`/charity/disbursements/:id${ID}`, RECORDS, (c) =>
    c.json({ disbursement: viewDisbursement(svc.disbursements.get(principal(c), idParam(c)), tz(c)) }));

  // ---- goods --------------------------------------------------------------------------------

  r.get('/charity/goods', { access: STAFF, query: listGoodsQuery }, (c) => {
    const page = svc.goods.list(principal(c), c.req.valid('query'));
    return c.json({ items: page.items.map((g) => viewGoods(g, tz(c))), nextCursor: page.nextCursor });
  });

  r.get(`/charity/goods/:id${ID}`, STAFF, (c) => c.json({ goods: viewGoods(svc.goods.get(principal(c), idParam(c)), tz(c)) }));

  r.get(`/charity/goods/:id${ID}/movements`, { access: STAFF, query: charityPageQuery }, (c) => {
    const page = svc.goods.movements(principal(c), idParam(c), c.req.valid('query'));
    return c.json({ items: page.items.map((m) => viewMovement(m, tz(c))), nextCursor: page.nextCursor });
  });

  // ---- the fund and the books ---------------------------------------------------------------

  r.get('/charity/fund', STAFF, (c) => c.json(svc.fund.summary(principal(c))));

  r.get(`/charity/fund/accounts/:id${ID}/entries`, { access: RECORDS, query: charityPageQuery }, (c) => {
    const page = svc.fund.entries(principal(c), idParam(c), c.req.valid('query'));
    return c.json({ items: page.items.map((l) => viewFundLine(l, tz(c))), nextCursor: page.nextCursor });
  });

  r.get('/charity/books', STAFF, (c) => c.json(svc.fund.books(principal(c))));

  // ---- the desk's pickers and ledgers out ----------------------------------------------------

  // What a gift may be designated to and a disbursement may go to: a need by its title, the
  // resident's name masked, so the bookkeeper picks one without reading the needs list.
  r.get('/charity/targets', STAFF, (c) => c.json({ items: svc.openTargets(principal(c)).map(({ kind, id, name }) => ({ kind, id, name })) }));

  // A ledger as CSV or XLSX. Donors are personal: every export is logged with its filters and size.
  r.get('/charity/export', { access: RECORDS, query: charityExportQuery }, (c) => {
    const q = c.req.valid('query');
    const p = principal(c);
    const locale = sheetLocale(q.lang, c.req.header('accept-language'));
    const sheet = svc.sheet(p, q, locale);
    const { format, lang, ...filters } = q;
    auditSoon({ ...actorOf(p), action: 'records.export', targetType: `charity.${q.ledger}`, detail: { format, ...filters, rows: sheet.total }, ip: p.request?.ip ?? null });
    const zone = tz(c);
    const day = localDay(svc.now(), zone).replaceAll('-', '');
    return sheetResponse({
      format, timeZone: zone, rows: sheet.rows, sheetName: sheet.sheetName, columns: sheet.columns,
      filename: `${locale === 'en' ? sheet.ascii : sheet.sheetName}-${day}.${format}`, asciiFilename: `${sheet.ascii}-${day}.${format}`,
    });
  });

  return r;
}
