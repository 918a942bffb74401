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
import { seedRegister } from './register.ts';

export interface DemoOptions {
  /** Story-time multiplier for the simulators (SIM_SPEED, 1: life's pace). */
  speed: number;
  /** Grid events an hour at the busiest time of day (SIM_RATE). */
  rate: number;
  logger: Logger;
  /** Seeds the simulators' random draws (tests); by default they differ on every start. */
  seed?: number;
}

/** Seed every subject once (each part returns null when it is there already). */
export async function installSubjects(app: Cerebellum, now: number) {
  const volunteers = await seedVolunteers(app.volunteers, now, seededRandom(20260310));
  const volunteerHistory = await seedVolunteerHistory(app.subjectDeps, now, { pointsPerHour: app.config.POINTS_PER_HOUR });
  const orgs = await seedOrgs(app.subjectDeps, now);
  // Needs after the providers (organizations, volunteers, social workers) they are matched to;
  // charity last: gifts are designated to the projects and needs seeded before it.
  const needs = await seedNeeds(app.subjectDeps, now);
  const charity = await seedCharity(app.subjectDeps, now);
  // The register (实有人口): buildings, households and residents of every grid.
  const register = await seedRegister(app.subjectDeps, now);
  return { volunteers, volunteerHistory, orgs, needs, charity, register };
}

export interface RunningDemo {
  stop(): void;
}

/** A demo simulator: `step()` does what is due at the app's clock; `start()` calls it on a timer. */
export type DemoSimulator = Simulator | VolunteerSimulator | CharitySimulator | NeedSimulator | OrgSimulator;

/**
 * Every simulator, on the app's clock (`app.now`), not yet started: a test steps them on a moving
 * clock, `startSimulators` runs them on timers.
 */
export function createSimulators(app: Cerebellum, o: DemoOptions): DemoSimulator[] {
  const common = { logger: o.logger, speed: o.speed, now: app.now };
  const seed = (k: number) => (o.seed === undefined ? {} : { seed: o.seed + k });
  return [
    new Simulator({ ...common, ...seed(0), events: app.events, ratePerHour: o.rate }),
    new VolunteerSimulator({ ...common, ...seed(1), volunteers: app.volunteers }),
    new OrgSimulator({ ...common, ...seed(2), service: app.orgs }),
    new NeedSimulator({ ...common, ...seed(3), service: app.needs }),
    new CharitySimulator({ ...common, ...seed(4), service: app.charity }),
  ];
}

/** Start every simulator on its timer. */
export function startSimulators(app: Cerebellum, o: DemoOptions): RunningDemo {
  const all = createSimulators(app, o);
  for (const s of all) s.start();
  return { stop: () => all.forEach((s) => s.stop()) };
}
