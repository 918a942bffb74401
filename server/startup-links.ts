/**
 * The links the start-up log prints, in the order a newcomer needs them: the wall that is
 * already paired (demo), the console and how to log in, then the bare `/screen` a new display
 * opens to get a pairing code. Each link has one line saying what it is. The console's menu
 * and button names come from its catalogue, so the log says what the console shows.
 *
 * @example
 *   console.log(startupLinks({ base: 'http://localhost:3000', demo: access, setupToken: null }).join('\n'));
 */
import { translate } from '../shared/i18n.ts';
import { demoUsername, type DemoAccess } from './auth/demo.ts';

export interface StartupLinkOptions {
  /** `http://host:port`, no trailing slash. */
  base: string;
  /**
   * Demo mode: what `installDemoAccess` returned (secrets only on the start that made them), or
   * null without `--demo`.
   */
  demo: DemoAccess | null;
  /** The one-time setup token while no account exists, else null. */
  setupToken: string | null;
}

/** Where in the console a display is paired: 大屏设备 → 配对新大屏 (Displays → Pair a display). */
export function pairingPath(locale: 'zh-CN' | 'en'): string {
  return `${translate(locale, 'console.nav.displays')} → ${translate(locale, 'console.displays.pairTitle')}`;
}

/** The grid worker's tablet, for the demo grid worker's account. */
const tabletPage = (base: string): string[] => [
  `  网格通 the grid worker's tablet: open on a tablet (or a narrow window) and log in as ${demoUsername('grid_worker')}`,
  `      ${base}/tablet`,
];

/** The demo volunteer's phone page and account, on the start that made the account. */
const phonePage = (base: string, demo: DemoAccess): string[] => demo.accounts.filter((a) => a.role === 'volunteer').flatMap((a) => [
  '  志愿者手机页 a volunteer\'s phone page: open on a phone (or a narrow window) and log in as the demo volunteer',
  `      ${base}/me`,
  `        ${a.role.padEnd(13)} ${a.username.padEnd(20)} ${a.password}`,
]);

/** The start-up log's link lines (each link on its own line, under a line saying what it is). */
export function startupLinks({ base, demo, setupToken }: StartupLinkOptions): string[] {
  const lines: string[] = [];
  const pairHere = `open it on the new screen and enter the code it shows in the console: ${pairingPath('zh-CN')} (${pairingPath('en')})`;
  const newWall = [
    `  新大屏 a new wall display: ${pairHere}`,
    `      ${base}/screen`,
  ];
  if (demo?.displayToken) {
    lines.push(
      'Demo ready links (shown only now; the passwords are random for this database):',
      '  大屏 wall display, already paired: open this on the wall (the browser keeps the pairing, no login)',
      `      ${base}/screen#display=${demo.displayToken}`,
      '  控制台 console: log in with one of these accounts, one per role',
      `      ${base}/console`,
      ...demo.accounts.filter((a) => a.role !== 'volunteer').map((a) => `        ${a.role.padEnd(13)} ${a.username.padEnd(20)} ${a.password}`),
      `      once logged in, ${translate('zh-CN', 'console.nav.screen')} (${translate('en', 'console.nav.screen')}) opens the wall in this browser without pairing`,
      ...tabletPage(base),
      ...phonePage(base, demo),
      ...newWall,
    );
  } else if (demo) {
    // Only hashes are kept, so the secrets cannot be printed again; say how to get back in.
    lines.push(
      'Demo accounts exist (their passwords were printed on the start that made them).',
      `  控制台 console: log in, then ${translate('zh-CN', 'console.nav.screen')} (${translate('en', 'console.nav.screen')}) opens the wall in that browser`,
      `      ${base}/console`,
      `      lost a password?  npm run admin -- password --username ${demoUsername('admin')}   (any demo-… account)`,
      ...tabletPage(base),
      ...phonePage(base, demo),
      ...newWall,
    );
  } else if (!setupToken) {
    lines.push(
      'Links:',
      '  控制台 console: log in with your account',
      `      ${base}/console`,
      ...newWall,
    );
  }
  if (setupToken) {
    // The only way in on a fresh database (besides `npm run admin -- create`): printed, never stored.
    lines.push(
      'No account yet. 控制台 console: create the first administrator at (this link works once)',
      `      ${base}/console/setup#${setupToken}`,
      '  or: npm run admin -- create --username <name> --role admin',
      ...(demo ? [] : newWall),
    );
  }
  return lines;
}
