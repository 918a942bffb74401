/** needs, resources, matching and tasks. */
import type { SubjectServiceDeps } from '../subjects/deps.ts';

export class NeedService {
  constructor(readonly deps: SubjectServiceDeps) {}
}
