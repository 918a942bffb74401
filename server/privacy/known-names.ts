/**
 * Every person the community holds by name, as one masker per community: the one step every
 * public projection passes free text through (grid events' titles and notes, the five-subject
 * views and feed). The names come from `known_names`, which triggers keep current from every
 * table that holds a person (server/privacy/schema.ts), so nothing that writes a person
 * has to remember to tell this class.
 *
 * Catching up costs one indexed query (`id > last`), taken at the start of each projection
 * pass (`current`: a batch, a snapshot, a replay, a views computation, the feed taking a line),
 * so a pass sees every name written before it began, by whatever path (accounts write outside
 * the write queue). New names are added to the masker in place, never rebuilt. Its limit: a name
 * the community has never recorded cannot be recognised by lookup (docs/SECURITY.md).
 */
import type { Db } from '../db/index.ts';
import { NameMasker } from '../../shared/mask.ts';

interface Community {
  masker: NameMasker;
  /** Goes up each time the masker learns a name: copies masked before are out of date. */
  generation: number;
}

export class KnownNames {
  #since: { all: (last: number) => unknown[] };
  #last = 0;
  #communities = new Map<string, Community>();

  constructor(db: Db) {
    this.#since = db.prepare('SELECT id, community_id AS communityId, name FROM known_names WHERE id > ? ORDER BY id');
  }

  /** Catch up, then the masker of every name `communityId` knows: what a projection pass starts with. */
  current(communityId: string): NameMasker {
    this.refresh();
    return this.#community(communityId).masker;
  }

  /** The masker as of the last catch-up (within a pass that began with `current` or `refresh`). */
  masker(communityId: string): NameMasker {
    return this.#community(communityId).masker;
  }

  /** A number that changes whenever the community's masker learns a name (as of the last catch-up). */
  generation(communityId: string): number {
    return this.#community(communityId).generation;
  }

  /** Read the names written since the last look. */
  refresh() {
    const rows = this.#since.all(this.#last) as { id: number; communityId: string; name: string }[];
    for (const r of rows) {
      this.#last = r.id;
      const c = this.#community(r.communityId);
      if (c.masker.add([r.name])) c.generation++;
    }
  }

  #community(id: string): Community {
    let c = this.#communities.get(id);
    if (!c) this.#communities.set(id, (c = { masker: new NameMasker(), generation: 0 }));
    return c;
  }
}
