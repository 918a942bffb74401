/**
 * Who may read notices: every person with an account, each their own (the service reads and
 * marks only the asker's; another person's notice is a 404, as if it did not exist).
 */
import { PEOPLE, type Role } from '../principal.ts';

export const OWN: readonly Role[] = PEOPLE;
