/**
 * The console's pages and their paths under `/console` (client/lib/routes.ts): a page with an
 * id names it in the path (`/console/events/:id`), so a link to one thing can be shared.
 */
import { routeTable, type Match } from '../lib/routes.ts';

export const BASE = '/console';

export const ROUTES = {
  home: '/',
  events: '/events',
  'event-new': '/events/new',
  'case-list': '/events/list',
  event: '/events/:id',
  users: '/users',
  displays: '/displays',
  'api-keys': '/api-keys',
  audit: '/audit',
  'loop-settings': '/loop-settings',
  password: '/password',
  setup: '/setup',
  'grid-workers': '/grid-workers',
  community: '/community',
  'desk-stats': '/desk-stats',

  // 志愿服务: the coordinator's registry, profiles and teams
  volunteers: '/volunteers',
  volunteer: '/volunteers/:id',
  'volunteer-certificate': '/volunteers/:id/certificate/:no',
  'verify-certificate': '/verify/:no',

  // 志愿活动: activities, sign-ups and the check-in desk
  activities: '/activities',
  activity: '/activities/:id',
  'check-in': '/activities/:id/check-in',

  // 积分超市: the points exchange's cashier and catalogue
  exchange: '/exchange',
  'exchange-ledger': '/exchange/ledger/:id',

  // 社工: the social worker's cases, services and schedule
  casework: '/casework',
  'case-file': '/casework/:id',

  // 社会组织与项目
  orgs: '/orgs',
  project: '/orgs/projects/:id',

  // 慈善资源: donations, the fund, goods and the books
  charity: '/charity',
  'charity-receipt': '/charity/receipts/:no',

  // 三张清单: needs, resources, projects and matching
  lists: '/lists',
  need: '/lists/needs/:id',

  // 实有人口: the community register (一标三实) and its import
  register: '/register',
  'register-import': '/register/import',

  // 巡查走访: the grid workers' patrols and household visits
  fieldwork: '/fieldwork',
  'field-patrol': '/fieldwork/patrols/:id',
  'field-visit': '/fieldwork/visits/:id',

  // 应急指挥: declare, update and end an emergency; which walls have switched
  incidents: '/incidents',
  'incident-report': '/incidents/:id/report',
  'corrective-actions': '/corrective-actions',
  'incident-board': '/incidents/:id/board',
  'incident-resources': '/incidents/:id/resources',
} as const;

export const routes = routeTable(BASE, ROUTES);

export type PageName = keyof typeof ROUTES | 'not-found';
/** The pages whose path takes no parameter: what a navigation link can name alone. */
export type PlainPage = { [K in keyof typeof ROUTES]: (typeof ROUTES)[K] extends `${string}:${string}` ? never : K }[keyof typeof ROUTES];
export type Route = Match<keyof typeof ROUTES>;

/** The page a path shows: `/console` is home, `/console/users` users, anything else not found. */
export const pageOf = (pathname: string): PageName => routes.match(pathname).page;

/** The path of a page (`href('users')` → `/console/users`), with its parameters and an optional query. */
export const href = routes.href;
