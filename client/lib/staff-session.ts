/**
 * Whether this browser holds a person's session (logged in to the console): such a browser may
 * show the wall at /screen without pairing, with the public view a display gets. `GET
 * /api/v1/auth/me` answers 200 for a session; a session that must change its password first is
 * refused at the socket, so it counts as none (the page shows a pairing code).
 *
 * A failed call (the server down) also counts as none: the pairing screen then says it is
 * retrying, and a display with a token never asks.
 */
import { Api } from './api.ts';

export async function hasStaffSession(fetchFn?: typeof fetch, base = '/api/v1'): Promise<boolean> {
  try {
    const api = new Api({ base, cache: 'no-store', ...(fetchFn ? { fetch: fetchFn } : {}) });
    const { user } = await api.me<{ mustChangePassword?: unknown } | null>();
    return !!user && user.mustChangePassword !== true;
  } catch {
    return false;
  }
}
