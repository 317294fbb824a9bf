import { ChangeFeed } from './change-feed';
import { describeDatabaseError } from './database-errors';
import { UnitOfWork } from './unit-of-work';

/**
 * What keeps a node from being ready (SPEC §12), in words an operator can act on: the database
 * does not answer, or on PostgreSQL the change notifications are not heard. Empty when ready.
 * `/health/ready` and the console's status both ask here.
 */
export async function readinessProblems(uow: UnitOfWork, feed: ChangeFeed): Promise<string[]> {
  const problems: string[] = [];
  try {
    await uow.read((em) => em.query('SELECT 1'));
  } catch (e) {
    problems.push(`the database does not answer (${describeDatabaseError(e)})`);
  }
  if (!feed.healthy) problems.push('the change notification connection is down');
  return problems;
}
