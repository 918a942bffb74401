/**
 * The board's flow summary read off the wall's linkage Sankey (shared/needs.ts flowTotals): every
 * need counted once, by the subject that took it on and by how it ended.
 */
import { describe, expect, it } from 'vitest';
import { flowTotals } from '../../shared/needs.ts';

describe('the flow summary of the lists board', () => {
  it('counts each need once, by subject and by outcome, as the Sankey draws them', () => {
    const t = flowTotals({
      nodes: [],
      links: [
        { source: 'need:repair', target: 'subject:community', value: 3 },
        { source: 'need:meals', target: 'subject:volunteer', value: 2 },
        { source: 'need:meals', target: 'outcome:waiting', value: 4 },
        { source: 'need:health', target: 'outcome:unmet', value: 1 },
        { source: 'subject:community', target: 'outcome:met', value: 2 },
        { source: 'subject:community', target: 'outcome:in_progress', value: 1 },
        { source: 'subject:volunteer', target: 'outcome:met', value: 2 },
      ],
    });
    expect(t).toEqual({
      total: 10,
      bySubject: { community: 3, volunteer: 2 },
      byOutcome: { met: 4, in_progress: 1, unmet: 1, waiting: 4 },
    });
  });

  it('is all zeros for an empty flow', () => {
    expect(flowTotals({ nodes: [], links: [] })).toEqual({ total: 0, bySubject: {}, byOutcome: { met: 0, in_progress: 0, unmet: 0, waiting: 0 } });
  });
});
