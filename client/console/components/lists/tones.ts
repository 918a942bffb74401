/** The badge tone of a need's, a resource's and a project's status on the lists board. */
import type { NeedStatus, ResourceStatus } from '../../../../shared/needs.ts';

export function needTone(s: NeedStatus): 'neutral' | 'ok' | 'warn' | 'danger' | 'info' {
  switch (s) {
    case 'raised': return 'warn';
    case 'matched': case 'in_progress': return 'info';
    case 'met': case 'rated': return 'ok';
    case 'closed': return 'neutral';
  }
}

export const resourceTone = (s: ResourceStatus) => (s === 'available' ? 'ok' : s === 'paused' ? 'warn' : 'neutral');

export const projectTone = (s: string) => (s === 'active' ? 'info' : s === 'completed' ? 'ok' : s === 'planned' ? 'warn' : 'neutral');
