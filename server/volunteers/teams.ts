/**
 * Volunteer teams (志愿服务队): named groups a volunteer may belong to, listed with their
 * members who have not left.
 */
import type { WriteQueue } from '../db/write-queue.ts';
import type { SubjectChange } from '../kernel/journal.ts';
import { DomainError } from '../errors.ts';
import { authorise } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import type { CreateTeamBody } from '../../shared/volunteers.ts';
import { MANAGE, STAFF } from './access.ts';
import type { TeamRecord } from './record.ts';
import type { VolunteerParts, VolunteerStore } from './store.ts';

/** Teams: create one (names are unique in a community) and list them. */
export class TeamService {
  #store: VolunteerStore;
  #queue: WriteQueue<SubjectChange>;
  #now: () => number;

  constructor(parts: VolunteerParts) {
    this.#store = parts.store;
    this.#queue = parts.queue;
    this.#now = parts.now;
  }

  /** A new team with no members; a 409 when the community has one of that name. */
  async create(p: Principal, body: CreateTeamBody): Promise<TeamRecord> {
    authorise(p, MANAGE, 'create teams');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      if (this.#store.stmt.teamByName.get(p.communityId, body.name)) {
        throw new DomainError(409, 'error.team_exists', `a team named ${body.name} exists`);
      }
      const id = Number(this.#store.stmt.insertTeam.run(p.communityId, body.name, now).lastInsertRowid);
      this.#store.entry(ctx, p, now, 'volunteer.team_created', 'team', id, { name: body.name });
      return { id, name: body.name, members: 0 };
    });
  }

  /** The community's teams in the order they were made, with their members. */
  list(p: Principal): TeamRecord[] {
    authorise(p, STAFF, 'see teams');
    return this.#store.stmt.teams.all(p.communityId) as TeamRecord[];
  }
}
