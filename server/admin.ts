/**
 * `npm run admin -- <command>`: accounts from the command line, for the first administrator
 * on a server without a browser nearby, or to let an administrator back in.
 *
 *   npm run admin -- create --username wang.li --role admin [--display-name 王丽] [--grids G01,G02]
 *                           [--social-worker 3] [--community guihua] [--password-stdin]
 *   npm run admin -- password --username wang.li [--password-stdin]
 *
 * The password is asked twice (not echoed), or read from the first line of standard input with
 * `--password-stdin` (for scripts: `echo "$PW" | npm run admin -- create … --password-stdin`).
 * Works while the server runs (SQLite allows it); the change is in the audit log as `cli`.
 */
import readline from 'node:readline';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './database.ts';
import { Directory } from './kernel/community.ts';
import { zodIssues } from './errors.ts';
import { systemPrincipal } from './principal.ts';
import { Auth } from './auth/index.ts';
import { createUserBody, setPasswordBody, USER_ROLES } from '../shared/auth.ts';
import { DomainError } from './errors.ts';

const USAGE = `usage:
  npm run admin -- create --username <name> --role <${USER_ROLES.join('|')}> [--display-name <name>] [--grids G01,G02] [--social-worker <id>] [--community <id>] [--password-stdin]
  npm run admin -- password --username <name> [--password-stdin]`;

function options(args: string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) throw new ConfigError(`unexpected argument ${a}\n${USAGE}`);
    const next = args[i + 1];
    if (next === undefined || next.startsWith('--')) out[a.slice(2)] = true;
    else (out[a.slice(2)] = next), i++;
  }
  return out;
}

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    const rl = readline.createInterface({ input: process.stdin });
    for await (const line of rl) {
      rl.close();
      return line;
    }
    throw new ConfigError('no password on standard input');
  }
  const first = await hidden('Password: ');
  const again = await hidden('Again: ');
  if (first !== again) throw new ConfigError('the two passwords differ');
  return first;
}

/** Ask for a line without echoing what is typed. */
function hidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stdout.write(question);
    out._writeToOutput = () => {};
    rl.question('', (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== 'create' && command !== 'password') throw new ConfigError(USAGE);
  const o = options(rest);
  const config = loadConfig(process.env, []);
  const db = openDatabase(config.dbFile);
  try {
    const directory = new Directory(db, config.TIME_ZONE);
    const auth = new Auth({
      db, directory, now: Date.now, defer: (work) => work(), scryptCost: config.SCRYPT_COST,
      sessionIdleMs: config.SESSION_IDLE_HOURS * 3_600_000, sessionMaxMs: config.SESSION_MAX_DAYS * 86_400_000,
    });
    if (typeof o.username !== 'string') throw new ConfigError(`--username is required\n${USAGE}`);
    if (command === 'create') {
      const communityId = typeof o.community === 'string' ? o.community : directory.defaultCommunity()?.id;
      if (!communityId || !directory.communities.has(communityId)) {
        throw new ConfigError(communityId ? `no community ${communityId}` : 'no community yet: run npm run import-community (or start with --demo) first');
      }
      const password = await readPassword(o['password-stdin'] === true);
      const body = createUserBody.safeParse({
        username: o.username, role: o.role, password,
        displayName: typeof o['display-name'] === 'string' ? o['display-name'] : o.username,
        ...(typeof o.grids === 'string' ? { grids: o.grids.split(',').map((g) => g.trim()).filter(Boolean) } : {}),
        ...(typeof o['social-worker'] === 'string' ? { socialWorkerId: Number(o['social-worker']) } : {}),
      });
      if (!body.success) throw new ConfigError(zodIssues(body.error).map((i) => `  ${i.field}: ${i.problem}`).join('\n'));
      const u = await auth.accounts.users.create(systemPrincipal(communityId, 'cli'), communityId, { ...body.data, mustChangePassword: false });
      console.log(`Created ${u.role} ${u.username} in ${communityId}.`);
    } else {
      const user = auth.accounts.users.byUsername(o.username);
      if (!user) throw new ConfigError(`no user ${o.username}`);
      const body = setPasswordBody.safeParse({ password: await readPassword(o['password-stdin'] === true) });
      if (!body.success) throw new ConfigError(zodIssues(body.error).map((i) => `  ${i.field}: ${i.problem}`).join('\n'));
      await auth.accounts.users.setPassword(systemPrincipal(user.communityId, 'cli'), user.id, body.data.password, { ip: null }, false);
      console.log(`Set the password of ${user.username}; their sessions have ended.`);
    }
  } finally {
    db.close();
  }
}

try {
  await main();
} catch (e) {
  if (e instanceof ConfigError) console.error(e.message);
  else if (e instanceof DomainError) console.error(`${e.message}${e.issues ? `\n${e.issues.map((i) => `  ${i.field}: ${i.problem}`).join('\n')}` : ''}`);
  else throw e;
  process.exit(1);
}
