/**
 * HTTP routes for the loop's settings, mounted under /api/v1: the settings in force, saving a
 * new version (admins; the whole settings with the version read, a stale one is a 409 naming
 * who saved last, a bad value a 400 naming its path such as
 * `limits.environment.urgent.handle.amount`, and nothing is written), and the history.
 */
import { loopSettingsHistory, loopSettingsVersion, saveLoopSettingsBody } from '../../shared/loop-settings.ts';
import { Routes } from '../http/routes.ts';
import { limitedBody, principal } from '../http/validate.ts';
import { READ, WRITE } from './access.ts';
import type { SettingsService } from './service.ts';

/** The largest settings: 24 limits, 8 rules, and a year of calendar twice. */
const MAX_BODY = 64 * 1024;

export function settingsRoutes(settings: SettingsService): Routes {
  const r = new Routes();

  r.get('/settings/loop', { access: READ, response: loopSettingsVersion }, (c) => c.json(settings.current(principal(c))));

  r.put('/settings/loop', { access: WRITE, body: saveLoopSettingsBody, response: loopSettingsVersion }, limitedBody(MAX_BODY), async (c) =>
    c.json(await settings.save(principal(c), c.req.valid('json'))));

  r.get('/settings/loop/history', { access: READ, response: loopSettingsHistory }, (c) =>
    c.json({ items: settings.history(principal(c)) }));

  return r;
}
