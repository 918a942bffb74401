/**
 * Migration 7, the names the community knows (known_names): every person it holds by name, in
 * one table, so the public projection masks them wherever they are typed (docs/SECURITY.md,
 * "Names in free text"). Triggers keep it current from every table that holds a person,
 * whoever writes (the server, the demo seeder, `npm run admin`, an import), and a name once
 * known stays known: a renamed or deleted person's old name may still be in someone's text.
 * New rows get higher ids, so a reader catches up with `WHERE id > ?` (server/privacy/).
 */

/**
 * Each table that holds people: the column with the name, which rows are persons (`when`, on
 * columns of the row itself: `kinds` names them, so correcting a kind fires the trigger too).
 */
const SOURCES: { table: string; column: string; when?: string; kinds?: string[] }[] = [
  { table: 'volunteers', column: 'name' },
  { table: 'social_workers', column: 'name' },
  { table: 'organizations', column: 'contact_name' },
  { table: 'cases', column: 'client_name' },
  { table: 'needs', column: 'resident_name' },
  { table: 'donations', column: 'donor_name', when: "donor_kind = 'person'", kinds: ['donor_kind'] },
  // A resource offered by a person typed in by hand (a donor is a person unless the name reads as
  // an organisation's: five Chinese characters or more, as the feed line decides in needs/feed-lines.ts).
  {
    table: 'resources', column: 'provider_name', kinds: ['provider_kind'],
    when: "provider_kind IN ('volunteer', 'social_worker') OR (provider_kind = 'donor' AND (length(provider_name) < 5 OR provider_name GLOB '*[A-Za-z]*'))",
  },
  { table: 'events', column: 'reporter_name' },
  { table: 'workers', column: 'name' },
  { table: 'users', column: 'display_name' },
];

/**
 * Tables that hold people and came after migration 7: their triggers are made by the migration
 * that makes the table (`knownNamesTriggers(table, column)`), not by migration 7, whose text
 * never changes. The register's residents (migration 25), and the emergency contacts they name.
 */
const LATER_SOURCES: typeof SOURCES = [
  { table: 'residents', column: 'name' },
  { table: 'residents', column: 'emergency_name' },
];

// `WHERE NOT EXISTS` rather than `INSERT OR IGNORE`: a trigger takes the conflict policy of
// the statement that fired it, and an outer INSERT OR REPLACE would churn the row's id.
const learn = (row: string, s: (typeof SOURCES)[number]) => `
    INSERT INTO known_names (community_id, name)
      SELECT ${row}.community_id, ${row}.${s.column}
       WHERE ${row}.${s.column} IS NOT NULL AND ${row}.${s.column} <> ''
         AND NOT EXISTS (SELECT 1 FROM known_names WHERE community_id = ${row}.community_id AND name = ${row}.${s.column});`;

/** A source's `when` on the new row: every column it names, as NEW.<column>. */
const onNew = (s: (typeof SOURCES)[number]) =>
  s.when ? ` WHEN ${[s.column, ...(s.kinds ?? [])].reduce((w, c) => w.replaceAll(c, `NEW.${c}`), s.when)}` : '';

/**
 * The triggers that learn one table's names (of `column`, when the table has more than one):
 * made again when a migration rebuilds that table, or first by the migration that makes a table
 * of LATER_SOURCES.
 */
export const knownNamesTriggers = (table: string, column?: string): string => {
  const s = [...SOURCES, ...LATER_SOURCES].find((x) => x.table === table && (column === undefined || x.column === column));
  if (!s) throw new Error(`no known names come from ${table}${column ? `.${column}` : ''}`);
  return triggerSql(s);
};

/** A trigger's name: the table's, and the column's too when it is not the table's first source. */
const triggerName = (s: (typeof SOURCES)[number]) =>
  [...SOURCES, ...LATER_SOURCES].find((x) => x.table === s.table) === s ? s.table : `${s.table}_${s.column}`;

const triggerSql = (s: (typeof SOURCES)[number]) => `
  CREATE TRIGGER known_names_${triggerName(s)}_insert AFTER INSERT ON ${s.table}${onNew(s)}
  BEGIN${learn('NEW', s)}
  END;
  CREATE TRIGGER known_names_${triggerName(s)}_update AFTER UPDATE OF ${[s.column, ...(s.kinds ?? [])].join(', ')} ON ${s.table}${onNew(s)}
  BEGIN${learn('NEW', s)}
  END;`;

const triggers = SOURCES.map(triggerSql).join('\n');

const backfill = SOURCES.map((s) => `
  INSERT OR IGNORE INTO known_names (community_id, name)
    SELECT DISTINCT community_id, ${s.column} FROM ${s.table}
     WHERE ${s.column} IS NOT NULL AND ${s.column} <> ''${s.when ? ` AND (${s.when})` : ''};`).join('\n');

export const KNOWN_NAMES_SQL = `
  CREATE TABLE known_names (
    id INTEGER PRIMARY KEY,
    community_id TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (community_id, name)
  );
  ${backfill}
  ${triggers}
`;
