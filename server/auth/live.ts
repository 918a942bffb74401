/**
 * What accounts and devices need of the live sockets: end the sockets of a session, a user or a
 * display at once, make a display reload, and tell whether a display is online. Sockets join a
 * room per credential, so this works through socket.io's adapter (and a Redis adapter) as is.
 */
export interface LiveControl {
  /** Close the connections of every socket in `room`. */
  disconnect(room: string): void;
  /** Send `screen:reload` to every socket in `room`. */
  reload(room: string): void;
  /** How many sockets are in `room` on this node. */
  count(room: string): number;
}

export const rooms = {
  session: (idHash: string) => `auth:session:${idHash}`,
  user: (userId: number) => `auth:user:${userId}`,
  display: (displayId: number) => `auth:display:${displayId}`,
  /** Every signed-in staff member of a community (not a volunteer's phone): the desks' change notes (server/live/desks.ts). */
  community: (communityId: string) => `auth:community:${communityId}`,
};

/** A stand-in until the sockets are attached (and for services used without them). */
export const noLive: LiveControl = { disconnect() {}, reload() {}, count: () => 0 };
