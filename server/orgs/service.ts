/** organizations, projects, social workers, cases and services. */
import type { SubjectServiceDeps } from '../subjects/deps.ts';

export class OrgService {
  constructor(readonly deps: SubjectServiceDeps) {}
}
