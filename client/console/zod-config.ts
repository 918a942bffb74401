/**
 * Zod without its JIT: the console's strict CSP allows no `new Function`, and even zod's probe
 * for it is reported as a violation. Imported first by main.ts, before any schema is built.
 */
import { z } from 'zod';

z.config({ jitless: true });
