/**
 * docs/PROTOCOL.md is what another vendor writes a display from: it must say everything the code
 * sends and nothing it does not. These tests read the TypeScript contract (shared/protocol.ts,
 * shared/subjects.ts, shared/disclosure.ts) as text, take the members of every exported
 * interface, and compare them with the listings of the same name in the document; they compare
 * the entry types with what the server journals, the feed table with the message catalogues,
 * "staff only" with what the public projection leaves out, and the limits the document states
 * with the constants in the code.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { projectEvent, type EventRecord } from '../../server/events/record.ts';
import { loadConfig } from '../../server/config.ts';
import { REPLAY_LIMIT, SOCKET_LIMITS, SUBSCRIBE_LIMIT } from '../../server/live/socket.ts';
import { REFRESH_EVERY_BEATS } from '../../server/live/broadcaster.ts';
import { displayEvent } from '../../server/events/record.ts';
import { HEARTBEAT_MS, STALE_AFTER_MS, STREAM_LIMIT } from '../../shared/protocol.ts';
import { DISPLAY_EVENT_LIMIT } from '../../shared/display-events.ts';
import { FEED_LIMIT, FUNDING_SOURCES, POPULATION_CODES, SERVICE_CATEGORY_CODES, SUBJECTS } from '../../shared/subjects.ts';
import { SMALL_COUNT_MIN } from '../../shared/disclosure.ts';
import { REFILL_MS, RETRY_MAX_MS, RETRY_MIN_MS, SUBSCRIBE_TIMEOUT_MS } from '../../shared/live-client.ts';
import { ACTIONS, STATUSES } from '../../shared/lifecycle.ts';
import { SOURCES, URGENCIES } from '../../shared/taxonomy.ts';
import { subscribeRequest } from '../../shared/schemas.ts';
import { CATALOGUES } from '../../shared/i18n.ts';

const read = (file: string) => fs.readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const DOC = read('docs/PROTOCOL.md');
const SOURCES_TS = {
  protocol: read('shared/protocol.ts'),
  subjects: read('shared/subjects.ts'),
  disclosure: read('shared/disclosure.ts'),
  lifecycle: read('shared/lifecycle.ts'),
};

// ---- a small reader of TypeScript interface bodies ----------------------------------------

const stripComments = (s: string) => s.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');

/** The text between the braces of `interface name {…}` (or `type name = {…}`) in `text`, or null. */
function bodyOf(text: string, name: string): string | null {
  const m = new RegExp(`(?:interface ${name}\\b[^{]*|type ${name}\\s*=\\s*)\\{`).exec(text);
  if (!m) return null;
  const start = m.index + m[0].length;
  let depth = 1;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(start, i);
  }
  return null;
}

/** `text` split at `sep` where no bracket is open. */
function splitTop(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if ('{[('.includes(c)) depth++;
    else if ('}])'.includes(c)) depth--;
    else if (c === sep && depth === 0) {
      parts.push(text.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(text.slice(from));
  return parts.map((p) => p.trim()).filter(Boolean);
}

interface Member { path: string; type: string }

/** The members of an interface body, with those of object types written inline as `parent.child`. */
function membersOf(body: string, prefix = ''): Member[] {
  const out: Member[] = [];
  for (const stmt of splitTop(stripComments(body), ';')) {
    const m = /^(?:readonly\s+)?(?:'([^']+)'|(\w+))\??\s*:\s*([\s\S]*)$/.exec(stmt);
    if (!m) throw new Error(`cannot read the member "${stmt}"`);
    const path = prefix + (m[1] ?? m[2]);
    const type = m[3]!;
    out.push({ path, type });
    // Inline object types, at the top of the member's type (not inside a function's parameters).
    let depth = 0;
    for (let i = 0; i < type.length; i++) {
      const c = type[i]!;
      if (c === '{' && depth === 0) {
        let d = 1;
        let j = i + 1;
        for (; j < type.length && d > 0; j++) {
          if (type[j] === '{') d++;
          else if (type[j] === '}') d--;
        }
        out.push(...membersOf(type.slice(i + 1, j - 1), `${path}.`));
        i = j - 1;
      } else if ('[('.includes(c)) depth++;
      else if ('])'.includes(c)) depth--;
    }
  }
  return out;
}

function interfaceMembers(text: string, name: string): Member[] {
  const body = bodyOf(stripComments(text), name);
  if (body === null) throw new Error(`no interface ${name}`);
  return membersOf(body);
}

const topLevel = (ms: Member[]) => ms.filter((m) => !m.path.includes('.')).map((m) => m.path).sort();
const paths = (ms: Member[]) => ms.map((m) => m.path).sort();
/** The string literals of a union type's text. */
const literals = (type: string) => [...type.matchAll(/'([^']+)'/g)].map((m) => m[1]!).sort();

/** The string literals of `type name = 'a' | 'b' …;` in `text`. */
function unionOf(text: string, name: string): string[] {
  const m = new RegExp(`type ${name}\\s*=([^;]+);`).exec(stripComments(text));
  if (!m) throw new Error(`no union ${name}`);
  return literals(m[1]!);
}

const exported = (text: string) => [...text.matchAll(/^export interface (\w+)/gm)].map((m) => m[1]!);
const CONTRACT = [
  ...exported(SOURCES_TS.protocol).map((name) => ({ name, file: 'protocol' as const })),
  ...exported(SOURCES_TS.subjects).map((name) => ({ name, file: 'subjects' as const })),
  { name: 'Withheld', file: 'disclosure' as const },
];

// ---- the tests -------------------------------------------------------------------------------

describe('the field reference of docs/PROTOCOL.md', () => {
  it('reads the contract: every wire interface has members', () => {
    expect(CONTRACT.map((c) => c.name)).toEqual(expect.arrayContaining(['EventView', 'Entry', 'Kpis', 'Views', 'Snapshot', 'Batch', 'Heartbeat', 'SubjectViews', 'FeedItem']));
    for (const c of CONTRACT) expect(interfaceMembers(SOURCES_TS[c.file], c.name).length, c.name).toBeGreaterThan(0);
  });

  it.each(CONTRACT)('lists every field of $name, and no other', ({ name, file }) => {
    const code = interfaceMembers(SOURCES_TS[file], name);
    const doc = interfaceMembers(DOC, name);
    expect(topLevel(doc), `docs/PROTOCOL.md, interface ${name}`).toEqual(topLevel(code));
    // Object types written inline in the code are spelled out in the document too.
    expect(paths(doc)).toEqual(expect.arrayContaining(paths(code)));
  });

  it('spells out a pending request with the fields of PendingRequest', () => {
    const pending = paths(interfaceMembers(DOC, 'EventView')).filter((p) => p.startsWith('pending.')).map((p) => p.slice(8));
    expect(pending.sort()).toEqual(topLevel(interfaceMembers(SOURCES_TS.lifecycle, 'PendingRequest')));
  });

  it('lists the fields of a subscribe request, and the views it accepts', () => {
    expect(topLevel(interfaceMembers(DOC, 'SubscribeRequest'))).toEqual(Object.keys(subscribeRequest.shape).sort());
    const view = interfaceMembers(DOC, 'SubscribeRequest').find((m) => m.path === 'view')!;
    expect(literals(view.type)).toEqual([...subscribeRequest.shape.view.options].sort());
  });

  it('names every value of the closed vocabularies a display receives', () => {
    const field = (iface: string, path: string) => interfaceMembers(DOC, iface).find((m) => m.path === path)!.type;
    expect(literals(field('EventView', 'urgency'))).toEqual([...URGENCIES].sort());
    expect(literals(field('EventView', 'source'))).toEqual([...SOURCES].sort());
    expect(literals(field('ProjectGlance', 'funding'))).toEqual([...FUNDING_SOURCES].sort());
    expect(unionOf(DOC, 'Status')).toEqual([...STATUSES].sort());
    expect(unionOf(DOC, 'Action')).toEqual([...ACTIONS].sort());
    expect(unionOf(DOC, 'SubjectKind')).toEqual([...SUBJECTS].sort());
    const missing = [...SERVICE_CATEGORY_CODES, ...POPULATION_CODES].filter((code) => !DOC.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it('lists the type aliases of the wire', () => {
    for (const alias of ['BatchViews', 'SubscribeResult', 'GuardedCount', 'Encoding']) expect(DOC).toMatch(new RegExp(`type ${alias}\\s*=`));
  });
});

describe('entry types', () => {
  const declared = unionOf(SOURCES_TS.protocol, 'EntryType');

  it('are exactly those the server journals: none declared and never sent', () => {
    const writers = read('server/events/service.ts') + read('server/events/deadlines.ts');
    const journaled = [...new Set([...writers.matchAll(/record\(ctx, now, '([\w.]+)'/g)].map((m) => m[1]!))].sort();
    expect(journaled.length).toBeGreaterThan(0);
    expect(declared).toEqual(journaled);
  });

  it('are listed in the document, each with its meaning', () => {
    expect(unionOf(DOC, 'EntryType')).toEqual(declared);
    const rows = DOC.split('\n').filter((l) => /^\| `event\.\w+` \|/.test(l)).map((l) => /`(event\.\w+)`/.exec(l)![1]!);
    expect(rows.sort()).toEqual(declared);
  });
});

describe('what the public audience does not receive', () => {
  const now = Date.UTC(2026, 10, 22, 6, 0);
  const e: EventRecord = {
    id: 7, code: '20261122000007', communityId: 'guihua', gridId: 'G01', category: 'environment', subcategory: 'garbage',
    urgency: 'normal', source: 'hotline', title: '桂花苑3幢楼下垃圾堆放', description: '住户王建国反映，垃圾两天未清运。',
    address: '桂花苑3幢2单元501室', lat: 30.28, lng: 120.11, reporterName: '王建国', reporterPhone: '13812345678', externalId: 'HL-1',
    status: 'dispatched', assigneeId: 'W01', pending: { kind: 'extension', hours: 4, at: now, by: 'dispatcher', note: '等配件' },
    shelvedFrom: null, shelvedAt: null, reportedAt: now - 9e6, acceptedAt: now - 8e6, dispatchedAt: now - 7e6, resolvedAt: null,
    closedAt: null, reviewedAt: null, dispatchDueAt: now - 6e6, handleDueAt: now + 6e7, onTime: null, satisfaction: null,
    overdue: false, remindedAt: null, remindedDue: null, escalatedAt: null, version: 3, updatedAt: now,
  };
  const ctx = { timeZone: 'Asia/Shanghai', workerName: () => '李建华' };

  it('is what the document marks "staff only", and a staff projection holds every listed field', () => {
    const staff = Object.keys(projectEvent(e, 'staff', ctx));
    const pub = new Set(Object.keys(projectEvent(e, 'public', ctx)));
    const body = bodyOf(DOC, 'EventView')!;
    const marked = body.split('\n').filter((l) => /\/\/ staff only/.test(l)).map((l) => /^\s*(\w+)/.exec(l)![1]!);
    expect(marked.sort()).toEqual(staff.filter((k) => !pub.has(k)).sort());
    expect(staff.sort()).toEqual(topLevel(interfaceMembers(DOC, 'EventView')));
  });

  it('is every field outside PublicEventView: a public socket gets exactly the fields the document lists there', () => {
    const wire = Object.keys(displayEvent(e, 'public', ctx)).sort();
    expect(wire).toEqual(topLevel(interfaceMembers(DOC, 'PublicEventView')));
    expect(Object.keys(displayEvent(e, 'staff', ctx)).sort()).toEqual(topLevel(interfaceMembers(DOC, 'EventView')));
    // And the document's staff-only markers on Entry: `from` is left out for the public audience.
    expect(bodyOf(DOC, 'Entry')!.split('\n').filter((l) => /\/\/ staff only/.test(l)).map((l) => /^\s*(\w+)/.exec(l)![1]!)).toEqual(['from']);
  });

  it('names the encodings a subscribe accepts', () => {
    const encoding = interfaceMembers(DOC, 'SubscribeRequest').find((m) => m.path === 'encoding')!;
    expect(literals(encoding.type)).toEqual([...subscribeRequest.shape.encoding.unwrap().options].sort());
    expect(unionOf(DOC, 'Encoding')).toEqual(unionOf(SOURCES_TS.protocol, 'Encoding'));
  });
});

describe('the feed table', () => {
  /** `feed.a.{b,c}` → `feed.a.b`, `feed.a.c` (any number of groups). */
  const expand = (key: string): string[] => {
    const m = /\{([^}]+)\}/.exec(key);
    if (!m) return [key];
    return m[1]!.split(',').flatMap((alt) => expand(key.slice(0, m.index) + alt + key.slice(m.index + m[0].length)));
  };
  const rows = DOC.split('\n')
    .map((l) => /^\| `(feed\.[^`]+)` \| (.*) \|$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ keys: expand(m[1]!), params: [...m[2]!.matchAll(/`(\w+)`/g)].map((p) => p[1]!) }));
  const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

  it('names every feed line in the catalogues, and no other', () => {
    const catalogued = Object.keys(CATALOGUES['zh-CN']).filter((k) => k.startsWith('feed.')).sort();
    expect(catalogued.length).toBeGreaterThan(0);
    expect(rows.flatMap((r) => r.keys).sort()).toEqual(catalogued);
  });

  it('lists every parameter the messages use', () => {
    for (const row of rows) {
      for (const key of row.keys) {
        const used = [...placeholders(CATALOGUES['zh-CN'][key as keyof (typeof CATALOGUES)['zh-CN']]),
          ...placeholders(CATALOGUES.en[key as keyof (typeof CATALOGUES)['en']])];
        expect(row.params, key).toEqual(expect.arrayContaining(used));
      }
    }
  });
});

describe('the limits the document states', () => {
  const n = (v: number) => v.toLocaleString('en-US');
  const s = (ms: number) => `${n(ms / 1000)} s`;
  /** The value cell of the row of "Limits at a glance" whose code column names `constant`. */
  const stated = (constant: string) => {
    const row = DOC.split('\n').find((l) => l.startsWith('|') && l.split('|')[3]?.includes(`\`${constant}\``));
    if (!row) throw new Error(`no row for ${constant} in "Limits at a glance"`);
    return row.split('|')[2]!.trim();
  };

  it.each([
    ['SOCKET_LIMITS.maxHttpBufferSize', `${n(SOCKET_LIMITS.maxHttpBufferSize / 1024)} KiB`],
    ['SOCKET_LIMITS.pingInterval', s(SOCKET_LIMITS.pingInterval)],
    ['SOCKET_LIMITS.pingTimeout', s(SOCKET_LIMITS.pingTimeout)],
    ['SUBSCRIBE_LIMIT', `${SUBSCRIBE_LIMIT.limit} per ${s(SUBSCRIBE_LIMIT.windowMs)}`],
    ['REPLAY_LIMIT', `${n(REPLAY_LIMIT)} grid-event entries`],
    ['BATCH_MS', `${n(loadConfig({}, []).BATCH_MS)} ms`],
    ['HEARTBEAT_MS', s(HEARTBEAT_MS)],
    ['REFRESH_EVERY_BEATS', `every ${REFRESH_EVERY_BEATS} heartbeats`],
    ['STALE_AFTER_MS', s(STALE_AFTER_MS)],
    ['DISPLAY_EVENT_LIMIT', n(DISPLAY_EVENT_LIMIT)],
    ['STREAM_LIMIT', n(STREAM_LIMIT)],
    ['FEED_LIMIT', n(FEED_LIMIT)],
    ['SMALL_COUNT_MIN', n(SMALL_COUNT_MIN)],
    ['SUBSCRIBE_TIMEOUT_MS', s(SUBSCRIBE_TIMEOUT_MS)],
    ['RETRY_MIN_MS', s(RETRY_MIN_MS)],
    ['RETRY_MAX_MS', s(RETRY_MAX_MS)],
    ['REFILL_MS', s(REFILL_MS)],
  ])('%s is %s', (constant, value) => {
    expect(stated(constant)).toBe(value);
  });

  it('says the same figures in its prose', () => {
    const missing = [
      `Incoming messages are at most ${n(SOCKET_LIMITS.maxHttpBufferSize / 1024)} KiB`,
      `pings every ${s(SOCKET_LIMITS.pingInterval)} (\`pingInterval\`)`,
      `${s(SOCKET_LIMITS.pingTimeout)} later (\`pingTimeout\`)`,
      `\`REPLAY_LIMIT\` (${n(REPLAY_LIMIT)})`,
      `Only grid-event entries count** towards the ${n(REPLAY_LIMIT)}`,
      `(\`SUBSCRIBE_LIMIT\`: ${SUBSCRIBE_LIMIT.limit} per ${s(SUBSCRIBE_LIMIT.windowMs)}`,
      `\`BATCH_MS\` (${n(loadConfig({}, []).BATCH_MS)} ms`,
      `\`HEARTBEAT_MS\` (${s(HEARTBEAT_MS)})`,
      `Every ${REFRESH_EVERY_BEATS}th heartbeat (${s(REFRESH_EVERY_BEATS * HEARTBEAT_MS)})`,
      `${s(STALE_AFTER_MS)} of silence`,
      `\`DISPLAY_EVENT_LIMIT\` (${n(DISPLAY_EVENT_LIMIT)}:`,
      `after ${s(RETRY_MIN_MS)}, doubling to at most ${s(RETRY_MAX_MS)}`,
      `no answer came within ${s(SUBSCRIBE_TIMEOUT_MS)}`,
    ].filter((phrase) => !DOC.includes(phrase));
    expect(missing).toEqual([]);
  });
});
