/**
 * Migration 9, the notice centre: what each person is told of (a case dispatched to them, sent
 * back, a reminder, a decision on their request), kept until they read it. Written in the same
 * transaction as the change that causes it (server/notices/service.ts), so a notice is never
 * lost nor doubled.
 */
export const NOTICES_SQL = `
  CREATE TABLE notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id TEXT NOT NULL REFERENCES communities(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    -- shared/protocol.ts NoticeKind
    kind TEXT NOT NULL,
    event_id INTEGER NOT NULL REFERENCES events(id),
    at INTEGER NOT NULL,
    -- NULL while unread
    read_at INTEGER,
    -- JSON: { code, title, byName, hours, dueAt } as they were when it was written
    data TEXT NOT NULL
  );
  CREATE INDEX notices_user ON notices(user_id, id);
  CREATE INDEX notices_unread ON notices(user_id) WHERE read_at IS NULL;
`;
