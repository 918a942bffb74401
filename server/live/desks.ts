/**
 * The desks' change notes: after commit, every signed-in console of a community hears which
 * records of the five subjects changed (`desk:changed`: subject, journal type, entity and row
 * id, nothing personal), so a coordinator's registry, the cashier's stock or the charity books
 * move when a colleague acts, without polling. A page that shows one of those records asks the
 * server again; the server stays the one truth of what it shows and who may read it.
 *
 * One note per community per commit group: a burst (a bulk import, a busy check-in desk) is a
 * handful of messages, not one per row. Past `MAX_NOTED` changes the note keeps the entities
 * only (`ids` empty), which a page takes as "everything of this kind changed".
 */
import type { SubjectChange } from '../kernel/journal.ts';
import type { DeskChange, DeskChanged } from '../../shared/protocol.ts';

/** How many changes one note lists by id. */
export const MAX_NOTED = 100;

/** The notes one commit group's subject changes make, one per community. */
export function deskNotes(changes: readonly SubjectChange[]): Map<string, DeskChanged> {
  const notes = new Map<string, DeskChanged>();
  for (const c of changes) {
    let note = notes.get(c.communityId);
    if (!note) notes.set(c.communityId, (note = { seq: c.seq, changes: [], entities: [] }));
    note.seq = Math.max(note.seq, c.seq);
    if (!note.entities.includes(c.entity)) note.entities.push(c.entity);
    if (note.changes.length < MAX_NOTED) {
      const change: DeskChange = { subject: c.subject, type: c.type, entity: c.entity, id: c.entityId, ...(Object.keys(c.refs).length ? { refs: c.refs } : {}) };
      note.changes.push(change);
    } else note.truncated = true;
  }
  return notes;
}
