/**
 * A subject's HTTP routes, each declared once: its method, its path, who may call it and, for
 * staff reads of people's records, where the records sit in the answer. The one declaration
 * registers the handler with Hono and enters the route into the access table the gate checks
 * before a body is read (server/auth/gate.ts), so a route cannot go out without a rule,
 * nor a rule stay behind for a route that is gone. Bodies and queries are checked by the
 * handlers with the subject's zod schemas (`parse`, server/http/validate.ts).
 *
 * @example
 *   const r = new Routes();
 *   r.get('/needs', PEOPLE, (c) => c.json(...));
 *   r.post(`/needs/:id${ID}/close`, COORDINATE, limited, async (c) => ...);
 *   app.route('/api/v1', r.app);   // and r.declared into the gate's table
 */
import { Hono, type Handler, type MiddlewareHandler } from 'hono';
import type { Role } from '../principal.ts';

/** Who may call a route: anyone, some roles, or roles that depend on the path (an event's action). */
export type Access = 'public' | readonly Role[] | ((params: Record<string, string>) => readonly Role[]);

/** Which answers are reads of people's records, and where the records sit in them. */
export interface RecordRead {
  targetType: 'events' | 'cases' | 'needs' | 'donations' | 'volunteers';
  /** The answer's key holding one record (`event`), or `items` for a page of them. */
  at: string;
  /** Only records carrying one of these are someone's (a need nobody in particular raised is not); every record when empty. */
  personal: readonly string[];
}

/** Who may call a route, and whether its answer is a read of people's records to log. */
export interface RouteRule {
  access: Access;
  reads?: RecordRead;
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface DeclaredRoute extends RouteRule {
  method: Method;
  /** As registered, with Hono's parameter patterns: `/needs/:id{[0-9]{1,12}}`. */
  path: string;
}

/** A route's middleware then its handler; typed by its path, so `c.req.param('id')` knows its parameters. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handlers<P extends string> = [...MiddlewareHandler<any, P>[], Handler<any, P>];

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

  get<P extends string>(path: P, who: Access | RouteRule, ...handlers: NoInfer<Handlers<P>>): this {
    return this.#add('GET', path, who, handlers);
  }

  post<P extends string>(path: P, who: Access | RouteRule, ...handlers: NoInfer<Handlers<P>>): this {
    return this.#add('POST', path, who, handlers);
  }

  patch<P extends string>(path: P, who: Access | RouteRule, ...handlers: NoInfer<Handlers<P>>): this {
    return this.#add('PATCH', path, who, handlers);
  }

  put<P extends string>(path: P, who: Access | RouteRule, ...handlers: NoInfer<Handlers<P>>): this {
    return this.#add('PUT', path, who, handlers);
  }

  delete<P extends string>(path: P, who: Access | RouteRule, ...handlers: NoInfer<Handlers<P>>): this {
    return this.#add('DELETE', path, who, handlers);
  }

  #add<P extends string>(method: Method, path: P, who: Access | RouteRule, handlers: Handlers<P>): this {
    const rule: RouteRule = isRule(who) ? who : { access: who };
    this.declared.push({ method, path, ...rule });
    this.app.on(method, path, ...(handlers as [Handler]));
    return this;
  }
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
