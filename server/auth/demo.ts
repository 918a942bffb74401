/**
 * Demo mode's ready-made ways in: one account per role and a paired wall display, so a
 * newcomer sees every surface at once. Passwords are random per database, stored hashed like
 * any other, and shown only when created (in the start-up log); the same goes for the display's
 * token. Nothing here is a default password: a database has its own or none.
 */
import { USER_ROLES, type UserRole } from '../../shared/auth.ts';
import { systemPrincipal } from '../principal.ts';
import type { Auth } from './index.ts';
import { newSecret } from './crypto.ts';

export interface DemoAccess {
  /** Each demo account with its password: only on the start that created them. */
  accounts: { role: UserRole; username: string; password: string }[];
  /** The demo display's token, for `/screen#display=<token>`: only on the start that paired it. */
  displayToken: string | null;
}

export const demoUsername = (role: UserRole) => `demo-${role.replace('_', '-')}`;

/**
 * Create the demo accounts and display in `communityId` unless they exist. The grid worker
 * works `gridOfWorker` as that grid's grid-worker record; the social worker's account is the
 * social-worker record `socialWorkerId`.
 */
export async function installDemoAccess(
  auth: Auth, communityId: string, gridOfWorker: string, socialWorkerId: number | null = null, volunteerId: number | null = null,
): Promise<DemoAccess> {
  const actor = systemPrincipal(communityId, 'demo');
  // A volunteer's account names a seeded volunteer record, as an invitation would (its phone page is /me).
  const volunteer = async (): Promise<DemoAccess['accounts']> => {
    if (volunteerId === null) return [];
    const username = demoUsername('volunteer');
    const password = newSecret().replace(/[-_]/g, '').slice(0, 14);
    return (await auth.accounts.invitations.demoAccount(communityId, volunteerId, username, password)) ? [{ role: 'volunteer', username, password }] : [];
  };
  if (auth.accounts.users.byUsername(demoUsername('admin'))) {
    // A demo database made before accounts named social-worker records: link its social worker now.
    const sw = auth.accounts.users.byUsername(demoUsername('social_worker'));
    if (sw && sw.socialWorkerId === null && socialWorkerId !== null) auth.accounts.users.update(actor, sw.id, { socialWorkerId }, { ip: null });
    // One made before accounts named grid-worker records: link its grid worker too.
    const gw = auth.accounts.users.byUsername(demoUsername('grid_worker'));
    const gridWorker = workerOf(auth, gridOfWorker);
    if (gw && gw.workerId === null && gridWorker) auth.accounts.users.update(actor, gw.id, { workerId: gridWorker }, { ip: null });
    // One made before volunteers had their phone page: give it its volunteer now.
    return { accounts: await volunteer(), displayToken: null };
  }
  const accounts: DemoAccess['accounts'] = [];
  for (const role of USER_ROLES) {
    // A volunteer's account names their volunteer record: made below.
    if (role === 'volunteer') continue;
    const username = demoUsername(role);
    if (auth.accounts.users.byUsername(username)) continue;
    const password = newSecret().replace(/[-_]/g, '').slice(0, 14);
    await auth.accounts.users.create(actor, communityId, {
      username, displayName: `演示${roleNames[role]}`, role, password, mustChangePassword: false,
      ...(role === 'grid_worker' ? { grids: [gridOfWorker], workerId: workerOf(auth, gridOfWorker) } : {}),
      ...(role === 'social_worker' ? { socialWorkerId } : {}),
    });
    accounts.push({ role, username, password });
  }
  accounts.push(...(await volunteer()));
  const { token } = auth.displays.createPaired(communityId, '演示大屏', 'demo');
  return { accounts, displayToken: token };
}

const roleNames: Record<UserRole, string> = {
  admin: '管理员', dispatcher: '调度员', grid_worker: '网格员', social_worker: '社工', coordinator: '协调员',
  charity_keeper: '慈善专管员', volunteer: '志愿者',
};

/** The grid-worker record of a grid (its own worker), or null. */
const workerOf = (auth: Auth, gridId: string): string | null => auth.directory.grids.get(gridId)?.workerId ?? null;
