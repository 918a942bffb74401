/**
 * Migration 3, service metrics (服务指标): hourly rollups per community, subject and grid, added
 * to in the transaction of each change that moves them (server/metrics.ts). Daily and monthly
 * figures are sums of hours; nothing scans the service tables to draw a wall.
 */
export const METRICS_SQL = `
  CREATE TABLE metrics_hourly (
    community_id TEXT NOT NULL,
    hour INTEGER NOT NULL,
    subject TEXT NOT NULL CHECK (subject IN ('community', 'org', 'social_worker', 'volunteer', 'charity')),
    -- '' when the change belongs to no grid
    grid_id TEXT NOT NULL DEFAULT '',
    services INTEGER NOT NULL DEFAULT 0,
    beneficiaries INTEGER NOT NULL DEFAULT 0,
    service_minutes INTEGER NOT NULL DEFAULT 0,
    sat_sum INTEGER NOT NULL DEFAULT 0,
    sat_n INTEGER NOT NULL DEFAULT 0,
    response_ms INTEGER NOT NULL DEFAULT 0,
    response_n INTEGER NOT NULL DEFAULT 0,
    needs_raised INTEGER NOT NULL DEFAULT 0,
    needs_met INTEGER NOT NULL DEFAULT 0,
    raised_cents INTEGER NOT NULL DEFAULT 0,
    disbursed_cents INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (community_id, hour, subject, grid_id)
  ) WITHOUT ROWID;

  -- Volunteer service recorded before the rollups existed.
  INSERT INTO metrics_hourly (community_id, hour, subject, grid_id, services, beneficiaries, service_minutes)
    SELECT r.community_id, (r.issued_at / 3600000) * 3600000, 'volunteer', COALESCE(a.grid_id, ''),
           COUNT(*), 0, CAST(SUM(r.hours) * 60 AS INTEGER)
      FROM service_records r JOIN activities a ON a.id = r.activity_id
     GROUP BY 1, 2, 3, 4;
`;
