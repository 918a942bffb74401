/** The case number (案卷号, server/events/record.ts): the local report date, then the id. */
import { describe, expect, it } from 'vitest';
import { eventCode } from '../../server/events/record.ts';

describe('case numbers', () => {
  it('carries the local date of the report and the id, for reports made one after another at any instant and zone', () => {
    // 2026-11-22 23:59:59.999 and 2026-11-23 00:00:00 in Shanghai (UTC+8), then the same instant in UTC.
    const beforeMidnight = Date.UTC(2026, 10, 22, 15, 59, 59, 999);
    const atMidnight = beforeMidnight + 1;
    expect(eventCode(123, beforeMidnight, 'Asia/Shanghai')).toBe('20261122000123');
    expect(eventCode(124, beforeMidnight, 'Asia/Shanghai')).toBe('20261122000124');
    expect(eventCode(125, atMidnight, 'Asia/Shanghai')).toBe('20261123000125');
    expect(eventCode(126, atMidnight, 'UTC')).toBe('20261122000126');
    expect(eventCode(127, atMidnight, 'Asia/Shanghai')).toBe('20261123000127');
    expect(eventCode(1_234_567, beforeMidnight, 'Asia/Shanghai')).toBe('202611221234567');
  });
});
