/**
 * The whole demo, in one place: what `npm start -- --demo` installs on first start (after the
 * community and its grid-event history, which must exist before the read models are built) and
 * the simulators that keep every subject alive. Tests use the same calls.
 */
import type { Logger } from 'pino';
import type { Cerebellum } from '../app.ts';
import { seededRandom } from './seed.ts';
import { Simulator } from './simulator.ts';
import { seedVolunteerHistory, seedVolunteers, VolunteerSimulator } from './volunteers.ts';
import { CharitySimulator, seedCharity } from './charity.ts';
import { NeedSimulator, seedNeeds } from './needs.ts';
import { OrgSimulator, seedOrgs } from './orgs.ts';

export interface DemoOptions {
  /** Story-time multiplier for the simulators (SIM_SPEED). */
  speed: number;
  /** Grid events per story hour (SIM_RATE). */
  rate: number;
  logger: Logger;
  /** The simulators' clock (default Date.now): the same clock as the app's, when a test moves it. */
  now?: () => number;
}

/** Seed every subject once (each part returns null when it is there already). */
export async function installSubjects(app: Cerebellum, now: number, opts: { speed: number }) {
  const volunteers = await seedVolunteers(app.volunteers, now, seededRandom(20260310), { speed: opts.speed });
  const volunteerHistory = await seedVolunteerHistory(app.subjectDeps, now, { pointsPerHour: app.config.POINTS_PER_HOUR });
  const orgs = await seedOrgs(app.subjectDeps, now);
  // Needs after the providers (organizations, volunteers, social workers) they are matched to;
  // charity last: gifts are designated to the projects and needs seeded before it.
  const needs = await seedNeeds(app.subjectDeps, now);
  const charity = await seedCharity(app.subjectDeps, now);
  return { volunteers, volunteerHistory, orgs, needs, charity };
}

export interface RunningDemo {
  stop(): void;
}

/** Start every simulator. */
export function startSimulators(app: Cerebellum, o: DemoOptions): RunningDemo {
  const clock = o.now ? { now: o.now } : {};
  const events = new Simulator({ events: app.events, model: app.model, logger: o.logger, ratePerHour: o.rate, speed: o.speed, ...clock });
  const volunteers = new VolunteerSimulator({ volunteers: app.volunteers, logger: o.logger, speed: o.speed, ...clock });
  const charity = new CharitySimulator({ service: app.charity, logger: o.logger, speed: o.speed, ...clock });
  const needs = new NeedSimulator({ service: app.needs, logger: o.logger, speed: o.speed, ...clock });
  const orgs = new OrgSimulator({ service: app.orgs, logger: o.logger, speed: o.speed, ...clock });
  const all = [events, volunteers, orgs, needs, charity];
  for (const s of all) s.start();
  return { stop: () => all.forEach((s) => s.stop()) };
}
