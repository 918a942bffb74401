/**
 * An incident as OASIS CAP 1.2 (urn:oasis:names:tc:emergency:cap:1.2), for a city's alert
 * platform to take: one `<alert>` per step, the declaration an Alert, each update an Update, the
 * end a Cancel, each referencing the messages before it. Written with xmlbuilder2 (escaping and
 * namespaces by the library, not by hand); element order follows the schema's sequences, which
 * a consumer validating against CAP-v1.2.xsd holds us to.
 *
 * What goes in, and why:
 *   - `identifier` `cerebellum:<community>:incident:<id>:<version>`: the step's version is its
 *     place among the incident's steps, so the id never changes and never repeats.
 *   - `sender` CAP_SENDER (server/config.ts) with `{community}` the community's id.
 *   - `sent` the step's time in the community's zone, to the second, with its offset
 *     (`2026-03-10T10:00:00+08:00`; UTC as `-00:00`, as CAP asks).
 *   - `status` `Exercise` for a drill (with a `<note>` saying so), else `Actual`; `scope` Public.
 *   - `incidents` `cerebellum:<community>:incident:<id>`: what ties the messages together.
 *   - two `<info>`, zh-CN then en-US. What the system words (event, description, area, sender
 *     name) is in each language; the headline and instructions are as the centre typed them, in
 *     both, masked as a wall shows them (`IncidentService.publicOf`: phones, ID and house numbers,
 *     every name the community holds). The end's summary and who acted are staff-only: never here.
 *   - `category` by type (CAP_CATEGORY), `urgency`/`severity`/`certainty` by level (CAP_LEVEL);
 *     a Cancel is urgency `Past` with responseType `AllClear`.
 *   - `eventCode` `cerebellum:type` and parameters `cerebellum:level`, `cerebellum:colour` for
 *     machines that sort by China's scale.
 *   - no `web`: the walls are paired displays on the intranet, not a public page to link to.
 *   - one `<area>`: its description names the grids (or the whole community); a `<polygon>` per
 *     outer ring of each grid (holes cannot be said in CAP); a `<geocode>` per grid id. Grids are
 *     kept in WGS-84 (a GCJ-02 import is converted by server/community/sheets.ts), the datum CAP
 *     requires, so the coordinates go out as kept, turned to CAP's `lat,lon`.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { LEVEL_COLOURS, type IncidentLevel, type IncidentStep, type IncidentType } from '../../shared/emergency-levels.ts';
import { translate, type Locale, type MessageKey } from '../../shared/i18n.ts';
import type { NameMasker } from '../../shared/mask.ts';
import { offsetMinutes, wallTime } from '../../shared/time.ts';
import { notFound } from '../errors.ts';
import { outerRings, type Directory } from '../kernel/community.ts';
import type { Principal } from '../principal.ts';
import { capWord } from './cap-words.ts';
import type { Incident, IncidentService } from './incidents.ts';

export const CAP_NAMESPACE = 'urn:oasis:names:tc:emergency:cap:1.2';
const ATOM_NAMESPACE = 'http://www.w3.org/2005/Atom';
/** One message (IANA-registered type). */
export const CAP_MEDIA_TYPE = 'application/cap+xml; charset=utf-8';
/** An incident's messages as an Atom feed, each entry carrying its message. */
export const ATOM_MEDIA_TYPE = 'application/atom+xml; charset=utf-8';

type CapCategory = 'Geo' | 'Met' | 'Safety' | 'Security' | 'Rescue' | 'Fire' | 'Health' | 'Env' | 'Transport' | 'Infra' | 'CBRNE' | 'Other';

/**
 * Each incident type's CAP category. A typhoon (台风防汛: typhoon and flood) and heat are weather
 * (`Met` covers floods); a gas leak in a home or a main is public safety, not a CBRNE attack.
 */
export const CAP_CATEGORY: Record<IncidentType, CapCategory> = {
  typhoon: 'Met', heat: 'Met', fire: 'Fire', gas: 'Safety', epidemic: 'Health', outage: 'Infra', earthquake: 'Geo', other: 'Other',
};

/**
 * Each level's urgency, severity and certainty. Severity follows the colour, as China's national
 * warnings put it in CAP: Ⅰ red Extreme, Ⅱ orange Severe, Ⅲ yellow Moderate, Ⅳ blue Minor. The two
 * gravest call for action now (Immediate) and are declared on what is happening (Observed); the
 * two milder ones are mostly declared ahead, on a forecast (Expected, Likely).
 */
export const CAP_LEVEL: Record<IncidentLevel, { urgency: string; severity: string; certainty: string }> = {
  1: { urgency: 'Immediate', severity: 'Extreme', certainty: 'Observed' },
  2: { urgency: 'Immediate', severity: 'Severe', certainty: 'Observed' },
  3: { urgency: 'Expected', severity: 'Moderate', certainty: 'Likely' },
  4: { urgency: 'Expected', severity: 'Minor', certainty: 'Likely' },
};

const MSG_TYPES: Record<IncidentStep, 'Alert' | 'Update' | 'Cancel'> = { alert: 'Alert', update: 'Update', cancel: 'Cancel' };
/** The two `<info>` blocks: the catalogue's locale and CAP's language tag (RFC 3066). */
const LANGUAGES: readonly { locale: Locale; tag: string }[] = [{ locale: 'zh-CN', tag: 'zh-CN' }, { locale: 'en', tag: 'en-US' }];

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * An instant as CAP's dateTime: to the second, with the zone's offset, UTC as `-00:00`.
 *
 * @example capTime(Date.parse('2026-03-10T02:00:00.250Z'), 'Asia/Shanghai') // '2026-03-10T10:00:00+08:00'
 */
export function capTime(ms: number, timeZone: string): string {
  const s = Math.floor(ms / 1000) * 1000;
  const w = wallTime(s, timeZone);
  const off = offsetMinutes(s, timeZone);
  const a = Math.abs(off);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${off > 0 ? '+' : '-'}${pad(Math.trunc(a / 60))}:${pad(a % 60)}`;
}

/** A ring of GeoJSON `[lon, lat]` as a CAP polygon (`lat,lon` pairs, first = last), or null when it has too few points. */
export function capPolygon(ring: readonly (readonly [number, number])[]): string | null {
  const points = ring.map(([lon, lat]) => `${lat},${lon}`);
  if (points.length && points[0] !== points.at(-1)) points.push(points[0]!);
  return points.length >= 4 ? points.join(' ') : null;
}

export interface CapDeps {
  incidents: IncidentService;
  directory: Directory;
  /** The masker of every name the community holds, as walls get it. */
  names?: (communityId: string) => NameMasker | undefined;
  /** The sender, `{community}` standing for the community's id (CAP_SENDER). */
  sender: string;
}

/** One message as data, before it is XML. */
interface CapMessage {
  identifier: string;
  sender: string;
  sent: string;
  msgType: 'Alert' | 'Update' | 'Cancel';
  version: number;
  incident: Incident;
  headline: string;
  instructions: string;
  references: string[];
}

export class CapExport {
  #d: CapDeps;

  constructor(deps: CapDeps) {
    this.#d = deps;
  }

  /**
   * One message of incident `id` as a CAP document: the step `version`, or the latest. A 404
   * for another community's incident, an unknown one, or a version it never had.
   */
  message(p: Principal, id: number, version?: number): { xml: string; filename: string } {
    const all = this.#messages(p, id);
    const m = version === undefined ? all.at(-1) : all.find((x) => x.version === version);
    if (!m) throw notFound(`message ${version} of incident ${id}`);
    const doc = create({ version: '1.0', encoding: 'UTF-8' });
    this.#alert(doc, m);
    return { xml: doc.end({ prettyPrint: true }), filename: `cap-${m.incident.communityId}-incident-${id}-${m.version}.xml` };
  }

  /**
   * Every message of incident `id` as an Atom feed, newest first: each entry carries its message
   * (`<content type="application/cap+xml">`) and links to it alone. `self` is the feed's own
   * path and `one(version)` a message's: relative, so they hold behind any proxy.
   */
  feed(p: Principal, id: number, links: { self: string; one: (version: number) => string }): { xml: string; filename: string } {
    const all = this.#messages(p, id);
    const latest = all.at(-1);
    if (!latest) throw notFound(`messages of incident ${id}`);
    const community = this.#d.directory.communities.get(latest.incident.communityId);
    const communityName = community?.name.zh ?? latest.incident.communityId;
    const doc = create({ version: '1.0', encoding: 'UTF-8' });
    const feed = doc.ele(ATOM_NAMESPACE, 'feed');
    feed.ele('id').txt(`cerebellum:${latest.incident.communityId}:incident:${id}`);
    feed.ele('title').txt(capWord('zh-CN', 'cap.feedTitle', { community: communityName, headline: latest.headline }));
    feed.ele('updated').txt(latest.sent);
    feed.ele('author').ele('name').txt(communityName);
    feed.ele('link', { rel: 'self', type: 'application/atom+xml', href: links.self });
    for (const m of [...all].reverse()) {
      const entry = feed.ele('entry');
      entry.ele('id').txt(m.identifier);
      entry.ele('title').txt(`${m.msgType}: ${this.#headline(m, 'zh-CN')}`);
      entry.ele('updated').txt(m.sent);
      entry.ele('link', { rel: 'alternate', type: 'application/cap+xml', href: links.one(m.version) });
      this.#alert(entry.ele('content', { type: 'application/cap+xml' }), m);
    }
    return { xml: doc.end({ prettyPrint: true }), filename: `cap-${latest.incident.communityId}-incident-${id}.atom` };
  }

  /** The incident's messages, oldest first, each referencing those before it. */
  #messages(p: Principal, id: number): CapMessage[] {
    const { steps } = this.#d.incidents.history(p, id);
    const communityId = p.communityId;
    const tz = this.#d.directory.timeZoneOf(communityId);
    const sender = this.#d.sender.replaceAll('{community}', communityId);
    const names = this.#d.names?.(communityId);
    const out: CapMessage[] = [];
    for (const s of steps) {
      const shown = this.#d.incidents.publicOf(s.incident, names);
      out.push({
        identifier: `cerebellum:${communityId}:incident:${id}:${s.version}`, sender, sent: capTime(s.at, tz), msgType: MSG_TYPES[s.step],
        version: s.version, incident: s.incident, headline: shown.headline, instructions: shown.instructions,
        references: out.map((m) => `${m.sender},${m.identifier},${m.sent}`),
      });
    }
    return out;
  }

  /** `<alert>` under `parent`, its elements in the schema's order. */
  #alert(parent: XMLBuilder, m: CapMessage): void {
    const i = m.incident;
    const alert = parent.ele(CAP_NAMESPACE, 'alert');
    alert.ele('identifier').txt(m.identifier);
    alert.ele('sender').txt(m.sender);
    alert.ele('sent').txt(m.sent);
    alert.ele('status').txt(i.drill ? 'Exercise' : 'Actual');
    alert.ele('msgType').txt(m.msgType);
    alert.ele('scope').txt('Public');
    if (i.drill) alert.ele('note').txt(LANGUAGES.map((l) => translate(l.locale, 'incident.drillNote')).join(' / '));
    if (m.references.length) alert.ele('references').txt(m.references.join(' '));
    alert.ele('incidents').txt(`cerebellum:${i.communityId}:incident:${i.id}`);
    for (const l of LANGUAGES) this.#info(alert, m, l);
  }

  #info(alert: XMLBuilder, m: CapMessage, { locale, tag }: { locale: Locale; tag: string }): void {
    const i = m.incident;
    const ended = m.msgType === 'Cancel';
    const t = (key: string) => translate(locale, key as MessageKey);
    const community = this.#d.directory.communities.get(i.communityId);
    const info = alert.ele('info');
    info.ele('language').txt(tag);
    info.ele('category').txt(CAP_CATEGORY[i.type]);
    info.ele('event').txt(t(`incident.type.${i.type}`));
    if (ended) info.ele('responseType').txt('AllClear');
    info.ele('urgency').txt(ended ? 'Past' : CAP_LEVEL[i.level].urgency);
    info.ele('severity').txt(CAP_LEVEL[i.level].severity);
    info.ele('certainty').txt(CAP_LEVEL[i.level].certainty);
    info.ele('eventCode').ele('valueName').txt('cerebellum:type').up().ele('value').txt(i.type);
    if (community) info.ele('senderName').txt(locale === 'en' ? community.name.en : community.name.zh);
    info.ele('headline').txt(this.#headline(m, locale));
    const area = this.#areaDesc(i, locale);
    const description = ended
      ? capWord(locale, 'cap.ended')
      : capWord(locale, 'cap.description', { type: t(`incident.type.${i.type}`), level: t(`incident.level.${i.level}`), colour: t(`incident.colour.${i.level}`), area });
    info.ele('description').txt(i.drill ? `${t('incident.drillNote')}${locale === 'en' ? '. ' : '。'}${description}` : description);
    if (!ended && m.instructions.trim()) info.ele('instruction').txt(m.instructions);
    info.ele('parameter').ele('valueName').txt('cerebellum:level').up().ele('value').txt(String(i.level));
    info.ele('parameter').ele('valueName').txt('cerebellum:colour').up().ele('value').txt(LEVEL_COLOURS[i.level].name);
    const el = info.ele('area');
    el.ele('areaDesc').txt(area);
    const grids = this.#d.incidents.affectedGrids(i);
    for (const g of grids) {
      const grid = this.#d.directory.grids.get(g);
      for (const ring of grid ? outerRings(grid.geometry) : []) {
        const polygon = capPolygon(ring);
        if (polygon) el.ele('polygon').txt(polygon);
      }
    }
    for (const g of grids) el.ele('geocode').ele('valueName').txt('cerebellum:grid').up().ele('value').txt(g);
  }

  /** The headline a message shows: masked, marked as a drill and as ended where it is. */
  #headline(m: CapMessage, locale: Locale): string {
    let headline = m.headline;
    if (m.msgType === 'Cancel') headline = capWord(locale, 'cap.endedHeadline', { headline });
    if (m.incident.drill) headline = capWord(locale, 'cap.drillHeadline', { headline });
    return headline;
  }

  /** The grids' names, or the whole community. */
  #areaDesc(i: Incident, locale: Locale): string {
    const community = this.#d.directory.communities.get(i.communityId);
    const name = (n: { zh: string; en: string }) => (locale === 'en' ? n.en : n.zh);
    if (i.grids === 'all') return capWord(locale, 'cap.areaAll', { community: community ? name(community.name) : i.communityId });
    return i.grids.map((g) => {
      const grid = this.#d.directory.grids.get(g);
      return grid ? name(grid.name) : g;
    }).join(locale === 'en' ? ', ' : '、');
  }
}
