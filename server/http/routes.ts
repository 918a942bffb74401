/**
 * A subject's HTTP routes, each declared once: its method, its path, who may call it, the
 * schemas of its JSON body and its query, the shape of its answer and, for staff reads of
 * people's records, where the records sit in the answer. The one declaration registers the
 * handler with Hono, enters the route into the access table the gate checks before a body is
 * read (server/auth/gate.ts), so a route cannot go out without a rule, nor a rule stay behind
 * for a route that is gone, and checks the request before the handler runs: the query, then,
 * after the route's own middleware (its `limitedBody`), the body read with `readJson` and
 * checked with `parse` (server/http/validate.ts: a bad one is a 400 naming each field). The
 * handler takes the parsed values, typed, from `c.req.valid('json')` and `c.req.valid('query')`.
 * Under tests (NODE_ENV=test) every 2xx JSON answer of a route that declares `response` is
 * checked against it, and one that drifts is a 500 with the fields named on stderr.
 *
 * @example
 *   const r = new Routes();
 *   r.get('/needs', { access: PEOPLE, query: listNeedsQuery }, (c) => c.json(list(c.req.valid('query'))));
 *   r.post(`/needs/:id${ID}/close`, { access: COORDINATE, body: closeNeedBody }, limited, async (c) => ...);
 *   r.post(`/displays/:id${ID}/revoke`, { access: ADMIN, body: null }, small, (c) => ...);
 *   app.route('/api/v1', r.app);   // and r.declared into the gate's table
 */
import { Hono, type Handler, type MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import type { Role } from '../principal.ts';
import { parse, readJson } from './validate.ts';

/** Who may call a route: anyone, some roles, or roles that depend on the path (an event's action). */
export type Access = 'public' | readonly Role[] | ((params: Record<string, string>) => readonly Role[]);

/** Which answers are reads of people's records, and where the records sit in them. */
export interface RecordRead {
  targetType: 'events' | 'cases' | 'needs' | 'donations' | 'volunteers' | 'residents' | 'visits';
  /** The answer's key holding one record (`event`), or `items` for a page of them. */
  at: string;
  /** Only records carrying one of these are someone's (a need nobody in particular raised is not); every record when empty. */
  personal: readonly string[];
}

/** Who may call a route, what it takes and answers, and whether its answer is a read of people's records to log. */
export interface RouteRule {
  access: Access;
  reads?: RecordRead;
  /**
   * The JSON body's schema; `null` for a route that reads no body (every POST, PATCH and PUT says
   * which); `'bytes'` for a body of bytes (a photo's chunk), handed over as `c.get('bytes')`.
   */
  body?: z.ZodType | null | 'bytes';
  /** An empty body is read as `{}` (a body whose fields are all optional may be left out). */
  bodyOptional?: boolean;
  /** The query's schema; a route without one reads no query. */
  query?: z.ZodType;
  /** The success answer's shape, checked under tests. */
  response?: z.ZodType;
  /**
   * A write a retrying client (the tablet's outbox, a phone) may send again with the same
   * `Idempotency-Key`: the first outcome per (principal, key) is kept in the write's own
   * transaction and a retry is answered with it, applied once (server/http/idempotency.ts,
   * docs/OFFLINE.md). Such a route makes at most one write per request.
   */
  idempotent?: boolean;
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface DeclaredRoute extends RouteRule {
  method: Method;
  /** As registered, with Hono's parameter patterns: `/needs/:id{[0-9]{1,12}}`. */
  path: string;
}

/** What a rule's schemas hand the handler: `c.req.valid('json')`, `c.req.valid('query')`. */
type Valid<R> =
  & (R extends { body: infer B extends z.ZodType } ? { json: z.output<B> } : Record<never, never>)
  & (R extends { query: infer Q extends z.ZodType } ? { query: z.output<Q> } : Record<never, never>);

/** A route's middleware then its handler; typed by its path and rule, so `c.req.param('id')` and `c.req.valid('json')` know their types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handlers<P extends string, R> = [...MiddlewareHandler<any, P>[], Handler<any, P, { out: Valid<R> }>];

/** What the gate checks: rules by `METHOD /path` (parameter patterns left out, see `routeKey`). */
export interface AccessTable {
  access: Readonly<Record<string, Access>>;
  reads: Readonly<Record<string, RecordRead>>;
}

export class Routes {
  /** The Hono app the routes are registered on; mount it under the API's base. */
  readonly app = new Hono();
  readonly declared: DeclaredRoute[] = [];

  /** Middleware on some paths (no route of its own: nothing to declare). */
  use(path: string, ...middleware: MiddlewareHandler[]): this {
    this.app.use(path, ...middleware);
    return this;
  }

  get<P extends string, R extends Access | RouteRule>(path: P, rule: R, ...handlers: Handlers<NoInfer<P>, NoInfer<R>>): this {
    return this.#add('GET', path, rule, handlers);
  }

  post<P extends string, R extends Access | RouteRule>(path: P, rule: R, ...handlers: Handlers<NoInfer<P>, NoInfer<R>>): this {
    return this.#add('POST', path, rule, handlers);
  }

  patch<P extends string, R extends Access | RouteRule>(path: P, rule: R, ...handlers: Handlers<NoInfer<P>, NoInfer<R>>): this {
    return this.#add('PATCH', path, rule, handlers);
  }

  put<P extends string, R extends Access | RouteRule>(path: P, rule: R, ...handlers: Handlers<NoInfer<P>, NoInfer<R>>): this {
    return this.#add('PUT', path, rule, handlers);
  }

  delete<P extends string, R extends Access | RouteRule>(path: P, rule: R, ...handlers: Handlers<NoInfer<P>, NoInfer<R>>): this {
    return this.#add('DELETE', path, rule, handlers);
  }

  #add(method: Method, path: string, who: Access | RouteRule, handlers: readonly unknown[]): this {
    const rule: RouteRule = isRule(who) ? who : { access: who };
    this.declared.push({ method, path, ...rule });
    const chain = [...handlers] as MiddlewareHandler[];
    // The body is read after the route's own middleware (its size limit), just before the handler.
    if (rule.query || rule.body) chain.splice(chain.length - 1, 0, validated(rule));
    // A keyed retry is answered (or waits) after its body was checked, just before the handler.
    if (rule.idempotent) chain.splice(chain.length - 1, 0, keyed);
    if (rule.response && process.env.NODE_ENV === 'test') chain.unshift(answerChecked(`${method} ${path}`, rule.response));
    this.app.on(method, path, ...(chain as [Handler]));
    return this;
  }
}

/** The query and the body checked against the rule's schemas, for `c.req.valid`. */
function validated({ query, body, bodyOptional = false }: RouteRule): MiddlewareHandler {
  return async function validated(c, next) {
    if (query) c.req.addValidatedData('query', parse(query, c.req.query()) as object);
    if (body === 'bytes') c.set('bytes', new Uint8Array(await c.req.arrayBuffer()));
    else if (body) c.req.addValidatedData('json', parse(body, await readJson(c, bodyOptional)) as object);
    await next();
  };
}

/** An idempotent route's key handling, as the app provides it (server/http/idempotency.ts; `c.get('idempotentWrites')`). */
const keyed: MiddlewareHandler = async function keyed(c, next) {
  const once = c.get('idempotentWrites');
  return once ? once(c, next) : next();
};

/** Under tests: a 2xx JSON answer that does not match the route's declared `response` is a 500, its fields named on stderr. */
function answerChecked(route: string, response: z.ZodType): MiddlewareHandler {
  return async function answerChecked(c, next) {
    await next();
    if (c.res.status < 200 || c.res.status > 299 || !c.res.headers.get('content-type')?.startsWith('application/json')) return;
    const r = response.safeParse(await c.res.clone().json());
    if (r.success) return;
    const error = new Error(`${route} answered ${c.res.status} with a body its declared response does not allow: ${problems(r.error.issues).join('; ')}`);
    console.error(error.message);
    throw error;
  };
}

/** Each issue as `path: message`; of a union's branches, the nearest miss (the fewest fields wrong). */
function problems(issues: readonly z.core.$ZodIssue[], at: readonly PropertyKey[] = []): string[] {
  return issues.flatMap((i) => {
    const path = [...at, ...i.path];
    if (i.code === 'invalid_union' && i.errors.length) {
      const misses = (branch: readonly z.core.$ZodIssue[]) => branch.reduce((n, e) => n + (e.code === 'unrecognized_keys' ? e.keys.length : 1), 0);
      return problems(i.errors.reduce((a, b) => (misses(b) < misses(a) ? b : a)), path);
    }
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => `${[...path, k].join('.')}: not declared`);
    return [`${path.join('.') || '(answer)'}: ${i.message}`];
  });
}

const isRule = (who: Access | RouteRule): who is RouteRule =>
  typeof who === 'object' && who !== null && !Array.isArray(who) && 'access' in who;

/**
 * `/api/v1/needs/:id{[0-9]{1,12}}` → `/needs/:id`: a route's path as the table names it.
 *
 * @example routeKey('POST', '/api/v1/events/:id/:action') // 'POST /events/:id/:action'
 */
export function routeKey(method: string, path: string, base = '/api/v1'): string {
  let out = '';
  let depth = 0;
  for (const ch of path.startsWith(base) ? path.slice(base.length) : path) {
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    else if (depth === 0) out += ch;
  }
  return `${method === 'HEAD' ? 'GET' : method} ${out || '/'}`;
}

/**
 * A rule as the gate holds it: without 'system'. Routes declare the role sets their services
 * check, which name 'system' (the deadline timer, the demo, the simulators act through the
 * services); no request ever carries it, and the table says so rather than trusting that.
 */
function overHttp(access: Access): Access {
  if (access === 'public') return access;
  if (typeof access === 'function') return (params) => access(params).filter((r) => r !== 'system');
  return access.filter((r) => r !== 'system');
}

/**
 * The gate's table from every subject's declared routes. Two declarations of one key (the same
 * method and path, whatever their patterns) must agree, or the app does not start.
 */
export function accessTable(routes: readonly DeclaredRoute[]): AccessTable {
  const declared: Record<string, Access> = {};
  const access: Record<string, Access> = {};
  const reads: Record<string, RecordRead> = {};
  for (const r of routes) {
    const key = routeKey(r.method, r.path, '');
    if (key in declared && declared[key] !== r.access) throw new Error(`${key} is declared twice with different access`);
    declared[key] = r.access;
    access[key] = overHttp(r.access);
    if (r.reads) reads[key] = r.reads;
  }
  return { access, reads };
}

/** The roles `access` allows for a route called with `params`; 'public' for anyone. */
export function rolesFor(access: Access, params: Record<string, string>): readonly Role[] | 'public' {
  return typeof access === 'function' ? access(params) : access;
}
