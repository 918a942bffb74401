/**
 * How an error becomes an answer: a DomainError is its status with `{ error: { code, message,
 * issues? } }` (and `Retry-After` for 429 and 503); a storage fault met outside the write queue
 * (a lock held elsewhere, a full disk) is a 503 to retry, never a 500; a queue closing for
 * shutdown is a 503; anything else is logged and answered 500 `error.internal`.
 */
import type { ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { DomainError } from '../errors.ts';
import { QueueClosedError } from '../db/write-queue.ts';
import { StorageError, storageFault, type StorageHealth } from '../db/storage.ts';

export function answerErrors(deps: { storage: StorageHealth; logger: Logger }): ErrorHandler {
  return function answerErrors(error, c) {
    let err: Error = error;
    // A lock held elsewhere or a full disk, met by a write made outside the write queue
    // (accounts, sessions): a 503 to retry, as the queue's own refusals are, never a 500.
    const fault = err instanceof StorageError ? null : storageFault(err);
    if (fault) {
      deps.storage.fault(fault.fault, err);
      err = fault;
    }
    if (err instanceof DomainError) {
      if ((err.status === 429 || err.status === 503) && typeof err.extra?.retryAfter === 'number') c.header('Retry-After', String(err.extra.retryAfter));
      return c.json({ error: { code: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}), ...err.extra } }, err.status);
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      const code = status === 413 ? 'error.payload_too_large' : 'error.validation';
      return c.json({ error: { code, message: err.message || 'request refused' } }, status);
    }
    if (err instanceof QueueClosedError) {
      c.header('Retry-After', '5');
      return c.json({ error: { code: 'error.unavailable', message: err.message } }, 503);
    }
    deps.logger.error({ err, path: c.req.path }, 'request failed');
    return c.json({ error: { code: 'error.internal', message: 'internal server error' } }, 500);
  };
}
