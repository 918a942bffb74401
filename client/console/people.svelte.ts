/**
 * An incident's people and places changed (`people:changed`, on the console's always-open
 * socket, notices.svelte.ts): the resources page reads again when `seen` moves.
 */
class PeopleNews {
  seen = $state(0);
}

export const peopleNews = new PeopleNews();
