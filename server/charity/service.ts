/** donations, the community fund, goods and disbursements. */
import type { SubjectServiceDeps } from '../subjects/deps.ts';

export class CharityService {
  constructor(readonly deps: SubjectServiceDeps) {}
}
