/**
 * Settings, read once from the environment (and `--demo` on the command line) and validated.
 * A bad value stops the start with a message naming the variable and what it must be.
 */
import path from 'node:path';
import { z } from 'zod';
import { isValidTimeZone } from '../shared/time.ts';

const flag = z
  .enum(['', '0', '1', 'true', 'false', 'yes', 'no'], { message: "must be 1/0, true/false or yes/no" })
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const schema = z.object({
  PORT: z.string().regex(/^\d{1,5}$/, 'must be a port number from 0 to 65535').transform(Number)
    .pipe(z.number().max(65535, 'must be a port number from 0 to 65535')).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1, 'must not be empty').default('./data'),
  DEMO: flag.default(false),
  TIME_ZONE: z.string().refine(isValidTimeZone, 'is not a time zone the runtime knows, e.g. Asia/Shanghai').default('Asia/Shanghai'),
  /** Demo: grid-event reports an hour at the busiest time of day (the seeded history makes as many). */
  SIM_RATE: z.coerce.number().min(0, 'must be 0 or more').max(100_000).default(10),
  /** Demo: how many times faster than life everything simulated happens; 1 keeps the screen believable. */
  SIM_SPEED: z.coerce.number().min(1, 'must be at least 1').max(10_000).default(1),
  /** Longest wait before a batch goes out to displays. */
  BATCH_MS: z.coerce.number().int().min(10).max(5_000).default(100),
  /** How often the deadline timer looks for reminders and overdue events. */
  TIMER_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** Days of journal kept for replay; older entries are pruned. */
  JOURNAL_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** Volunteer points per hour of service, for activities that set no rate of their own (1 h = 10). */
  POINTS_PER_HOUR: z.coerce.number().int().min(0, 'must be 0 or more').max(1000).default(10),
  /** Longest a write waits for the database while another program holds its write lock, before a 503 error.db_busy. */
  DB_BUSY_WAIT_MS: z.coerce.number().int().min(0, 'must be 0 or more').max(60_000, 'must be at most 60000').default(5_000),
  /**
   * Who sends an incident's CAP 1.2 messages (`<sender>`, server/emergency/cap.ts): an address
   * under a domain the operator holds, `{community}` standing for the community's id. The
   * default's `.invalid` (RFC 2606) says plainly that nobody set it.
   */
  CAP_SENDER: z.string().max(120, 'must be at most 120 characters')
    .regex(/^[^\s,<>&"']+$/, 'must have no spaces, commas, quotes, < > or & (CAP 1.2 forbids them in <sender>), e.g. {community}@cockpit.example.gov.cn')
    .default('{community}@cerebellum.invalid'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** scrypt's cost N for new password hashes: a power of two (tests use 1024 to stay fast). */
  SCRYPT_COST: z.coerce.number().int().min(1024, 'must be a power of two from 1024 to 1048576').max(1_048_576, 'must be a power of two from 1024 to 1048576')
    .refine((n) => (n & (n - 1)) === 0, 'must be a power of two from 1024 to 1048576').default(32768),
  /** Other origins (scheme://host:port, comma-separated) whose pages may call the API and open sockets. */
  ALLOWED_ORIGINS: z.string().transform((v, ctx) => {
    const list = v.split(',').map((s) => s.trim()).filter(Boolean);
    const out: string[] = [];
    for (const o of list) {
      let url: URL | null = null;
      try {
        url = new URL(o);
      } catch { /* reported below */ }
      if (!url || !/^https?:$/.test(url.protocol) || url.origin !== o.replace(/\/$/, '')) {
        ctx.addIssue({ code: 'custom', message: `"${o}" is not an origin like https://cockpit.example:8443` });
      } else out.push(url.origin);
    }
    return out;
  }).default([]),
  /** The session cookie's Secure flag: auto (when the request came over https), or always 1 / never 0. */
  COOKIE_SECURE: z.enum(['auto', '1', '0', 'true', 'false'], { message: 'must be auto, 1 or 0' })
    .transform((v) => (v === 'auto' ? 'auto' as const : v === '1' || v === 'true')).default('auto'),
  /** Hours without a request after which a session ends. */
  SESSION_IDLE_HOURS: z.coerce.number().min(0.1, 'must be at least 0.1').max(24 * 30).default(12),
  /** Days after login when a session ends however active it is. */
  SESSION_MAX_DAYS: z.coerce.number().min(0.1, 'must be at least 0.1').max(365).default(7),
  /**
   * Behind a reverse proxy: take the client's address from the last X-Forwarded-For entry and
   * https from X-Forwarded-Proto. Off by default: a client could otherwise pick its own address.
   */
  TRUST_PROXY: flag.default(false),
});

export type Config = z.infer<typeof schema> & { dbFile: string };

export class ConfigError extends Error {}

/** Validate settings from `env` and `argv`; throws ConfigError listing every bad value. */
export function loadConfig(env: Record<string, string | undefined> = process.env, argv: string[] = process.argv.slice(2)): Config {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key]?.trim();
    if (v) raw[key] = v;
  }
  if (argv.includes('--demo')) raw.DEMO = '1';
  const unknownArgs = argv.filter((a) => a !== '--demo');
  const parsed = schema.safeParse(raw);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => `  ${String(i.path[0])}=${JSON.stringify(raw[String(i.path[0])] ?? '')}: ${i.message}`);
  for (const a of unknownArgs) problems.push(`  ${a}: unknown argument (the only one is --demo)`);
  if (!parsed.success || problems.length) {
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const dataDir = path.resolve(parsed.data.DATA_DIR);
  return { ...parsed.data, DATA_DIR: dataDir, dbFile: path.join(dataDir, 'cerebellum.db') };
}
