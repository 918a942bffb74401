/**
 * The tablet's sender (client/tablet/outbox/sender.ts) around a stale CSRF token, with a fetch
 * that answers as the server would; and what a task offers on the tablet while the worker's own
 * actions wait to be sent (client/tablet/records.ts `actionsNow`).
 */
import { describe, expect, it } from 'vitest';
import { Sender } from '../../client/tablet/outbox/sender.ts';
import type { OutboxEntry } from '../../client/tablet/outbox/machine.ts';
import { actionRecord, actionsNow, reportRecord } from '../../client/tablet/records.ts';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const CSRF_REFUSED = { error: { code: 'error.csrf', message: 'missing or invalid CSRF token' } };
const RECEIVED = { event: { id: 7, code: '20261207000007', status: 'reported', version: 1 }, created: true };

/** A sender whose server answers each request in turn with `answers`, noting the token each write carried. */
function senderWith(answers: Response[], refresh: () => Promise<boolean>) {
  let token = 'stale';
  const sent: (string | null)[] = [];
  const saved: OutboxEntry[] = [];
  const sender = new Sender({
    csrf: () => token,
    refreshCsrf: async () => {
      const ok = await refresh();
      if (ok) token = 'fresh';
      return ok;
    },
    save: async (e) => void saved.push(e),
    now: () => 1_000,
    fetch: async (_url, init) => {
      sent.push(new Headers(init?.headers).get('X-CSRF-Token'));
      const next = answers.shift();
      if (!next) throw new TypeError('Failed to fetch');
      return next;
    },
  });
  return { sender, sent, saved };
}

const report = () => reportRecord('wang', { title: '井盖破损', category: 'facilities' }, []);

describe('a stale CSRF token', () => {
  it('is fetched afresh once and the record sent again with it: received', async () => {
    let refreshed = 0;
    const { sender, sent } = senderWith([json(403, CSRF_REFUSED), json(201, RECEIVED)], async () => (refreshed++, true));
    const e = report();
    const out = await sender.send(e, [e]);
    expect(refreshed).toBe(1);
    expect(sent).toEqual(['stale', 'fresh']);
    expect(out.state).toBe('received');
    expect(out.receipt?.code).toBe('20261207000007');
  });

  it('that cannot be fetched now (the server away) keeps the record saved for later, never refused', async () => {
    const { sender } = senderWith([json(403, CSRF_REFUSED)], async () => false);
    const e = report();
    const out = await sender.send(e, [e]);
    expect(out.state).toBe('saved');
    expect(out.error).toBeUndefined();
    expect(out.nextTryAt).toBeGreaterThan(1_000);
  });

  it('refused again with a fresh token is shown as the server said it', async () => {
    const { sender, sent } = senderWith([json(403, CSRF_REFUSED), json(403, CSRF_REFUSED)], async () => true);
    const e = report();
    const out = await sender.send(e, [e]);
    expect(sent).toHaveLength(2);
    expect(out.state).toBe('refused');
    expect(out.error).toMatchObject({ status: 403, code: 'error.csrf' });
  });

  it('keeps the same Idempotency-Key on the request sent again', async () => {
    const keys: (string | null)[] = [];
    const answers = [json(403, CSRF_REFUSED), json(201, RECEIVED)];
    const sender = new Sender({
      csrf: () => 't', refreshCsrf: async () => true, save: async () => {}, now: () => 0,
      fetch: async (_u, init) => (keys.push(new Headers(init?.headers).get('Idempotency-Key')), answers.shift()!),
    });
    const e = report();
    await sender.send(e, [e]);
    expect(keys).toEqual([e.idempotencyKey, e.idempotencyKey]);
  });
});

describe('what a task offers while the worker\'s own actions wait', () => {
  const task = { id: 5, code: '20261207000005', title: '路灯不亮', version: 3 };
  const dispatched = { status: 'dispatched', signedAt: null, allowedActions: ['sign', 'send_back', 'request_extension'] };
  const waiting = (...kinds: ('sign' | 'start' | 'resolve' | 'send_back')[]) => kinds.map((k) => actionRecord('wang', task, k, {}, []));
  const as = (e: OutboxEntry, state: OutboxEntry['state']): OutboxEntry => ({ ...e, state });

  it('is what the server allows, of the actions the tablet has, when nothing waits', () => {
    expect(actionsNow(dispatched, [])).toEqual(['sign', 'send_back']);
  });

  it('moves on with each action saved or sending: signed → start or send back; started → resolve; resolved → nothing', () => {
    expect(actionsNow(dispatched, waiting('sign'))).toEqual(['start', 'send_back']);
    expect(actionsNow(dispatched, waiting('sign', 'start'))).toEqual(['resolve']);
    expect(actionsNow(dispatched, [as(waiting('sign')[0]!, 'sending'), ...waiting('start')])).toEqual(['resolve']);
    expect(actionsNow(dispatched, waiting('sign', 'start', 'resolve'))).toEqual([]);
    expect(actionsNow(dispatched, waiting('send_back'))).toEqual([]);
  });

  it('goes back to the server\'s word once the actions are received or refused', () => {
    expect(actionsNow(dispatched, waiting('sign').map((e) => as(e, 'received')))).toEqual(['sign', 'send_back']);
    expect(actionsNow(dispatched, waiting('sign').map((e) => as(e, 'refused')))).toEqual(['sign', 'send_back']);
  });
});
