/**
 * Where each person can go in the console: one list for the side navigation and the home page's
 * cards, so a desk appears in both or neither. The day's work first, then the five subjects'
 * desks, then the community's set-up, devices, keys and the log. `roles` says who sees an entry
 * (`'admin'`: admins only); the server's access rules decide what each may do there.
 */
import type { Key } from './i18n.svelte.ts';
import type { PlainPage } from './routes.ts';
import type { NavIconName } from './components/shell/nav-icons.ts';
import { STATS_ROLES } from './desk-view.ts';
import { FIELD_LOG_ROLES } from './fieldwork-view.ts';

export type NavGroup = 'work' | 'subjects' | 'admin';

export interface NavItem {
  page: PlainPage;
  label: Key;
  icon: NavIconName;
  group: NavGroup;
  /** Who sees it: these roles, or `'admin'` for admins only; absent: everyone on the staff. */
  roles?: readonly string[] | 'admin';
  /** The home page's card says this about it; no card without it. */
  home?: Key;
}

const STAFF_DESK = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator'];

export const NAV: readonly NavItem[] = [
  { page: 'home', label: 'console.nav.home', icon: 'home', group: 'work' },
  { page: 'events', label: 'console.nav.desk', icon: 'queue', group: 'work', roles: STAFF_DESK, home: 'console.home.desk' },
  { page: 'desk-stats', label: 'console.nav.deskStats', icon: 'chart', group: 'work', roles: STATS_ROLES, home: 'console.home.deskStats' },
  { page: 'incidents', label: 'console.nav.incidents', icon: 'emergency', group: 'work', roles: ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'charity_keeper'], home: 'console.home.incidents' },
  { page: 'corrective-actions', label: 'console.nav.correctiveActions', icon: 'audit', group: 'work', roles: ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'charity_keeper'] },
  { page: 'fieldwork', label: 'console.nav.fieldwork', icon: 'patrol', group: 'work', roles: FIELD_LOG_ROLES, home: 'console.home.fieldwork' },

  { page: 'volunteers', label: 'console.nav.volunteers', icon: 'volunteer', group: 'subjects', roles: ['admin', 'coordinator', 'social_worker'], home: 'console.home.volunteers' },
  { page: 'activities', label: 'console.nav.activities', icon: 'activity', group: 'subjects', roles: ['admin', 'coordinator', 'social_worker', 'grid_worker'], home: 'console.home.activities' },
  { page: 'exchange', label: 'console.nav.exchange', icon: 'exchange', group: 'subjects', roles: ['admin', 'coordinator'], home: 'console.home.exchange' },
  { page: 'casework', label: 'console.nav.casework', icon: 'casework', group: 'subjects', roles: ['admin', 'coordinator', 'social_worker'], home: 'console.home.casework' },
  { page: 'orgs', label: 'console.nav.orgs', icon: 'org', group: 'subjects', roles: ['admin', 'coordinator', 'social_worker'], home: 'console.home.orgs' },
  { page: 'charity', label: 'console.nav.charity', icon: 'charity', group: 'subjects', roles: ['admin', 'coordinator', 'social_worker', 'dispatcher', 'charity_keeper'], home: 'console.home.charity' },
  { page: 'register', label: 'console.nav.register', icon: 'map', group: 'subjects', roles: ['admin', 'grid_worker', 'dispatcher', 'social_worker'], home: 'console.home.register' },
  { page: 'lists', label: 'console.nav.lists', icon: 'lists', group: 'subjects', roles: ['admin', 'dispatcher', 'coordinator', 'social_worker', 'grid_worker'], home: 'console.home.lists' },

  { page: 'users', label: 'console.nav.users', icon: 'users', group: 'admin', roles: 'admin', home: 'console.home.users' },
  { page: 'grid-workers', label: 'console.nav.gridWorkers', icon: 'worker', group: 'admin', roles: 'admin' },
  { page: 'community', label: 'console.nav.community', icon: 'map', group: 'admin', roles: 'admin' },
  { page: 'loop-settings', label: 'console.nav.loopSettings', icon: 'settings', group: 'admin', roles: 'admin' },
  { page: 'displays', label: 'console.nav.displays', icon: 'display', group: 'admin', roles: 'admin', home: 'console.home.displays' },
  { page: 'api-keys', label: 'console.nav.apiKeys', icon: 'key', group: 'admin', roles: 'admin', home: 'console.home.apiKeys' },
  { page: 'audit', label: 'console.nav.audit', icon: 'audit', group: 'admin', roles: 'admin', home: 'console.home.audit' },
];

/** The entries a role sees, in order; a grid worker's desk is their tasks (我的任务). */
export function navFor(role: string): NavItem[] {
  return NAV.filter((n) => !n.roles || (n.roles === 'admin' ? role === 'admin' : n.roles.includes(role))).map((n) =>
    n.page === 'events' && role === 'grid_worker' ? { ...n, label: 'console.nav.tasks', home: 'console.home.tasks' } : n);
}
