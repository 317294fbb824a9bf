import { EntityManager, LessThan } from 'typeorm';
import { OneTimeTokenEntity } from './one-time-token.entity';

export type Consumed =
  | { readonly ok: true; readonly payload: string }
  | { readonly ok: false; readonly reason: 'invalid' | 'wrong_account' | 'expired' | 'used' };

/** Stores a token for later single use. */
export async function issueOnce(
  em: EntityManager,
  token: Omit<OneTimeTokenEntity, 'usedAt'>,
): Promise<void> {
  await em.insert(OneTimeTokenEntity, { ...token, usedAt: null });
}

/**
 * Uses a token exactly once, however many nodes try at the same moment: one conditional
 * UPDATE (`usedAt IS NULL`, not expired, same account and purpose) decides, in the database;
 * the single caller whose update changed the row gets the payload. The others learn why not.
 */
export async function consumeOnce(
  em: EntityManager,
  accountId: string,
  purpose: string,
  id: string,
  now = Date.now(),
): Promise<Consumed> {
  const result = await em
    .createQueryBuilder()
    .update(OneTimeTokenEntity)
    .set({ usedAt: now })
    .where('"id" = :id AND "accountId" = :accountId AND "purpose" = :purpose', {
      id,
      accountId,
      purpose,
    })
    .andWhere('"usedAt" IS NULL AND "expiresAt" > :now', { now })
    .execute();
  const row = await em.findOneBy(OneTimeTokenEntity, { id });
  if ((result.affected ?? 0) === 1 && row) return { ok: true, payload: row.payload };
  if (!row || row.purpose !== purpose) return { ok: false, reason: 'invalid' };
  if (row.accountId !== accountId) return { ok: false, reason: 'wrong_account' };
  if (row.usedAt !== null) return { ok: false, reason: 'used' };
  return { ok: false, reason: 'expired' };
}

/** Deletes tokens expired before `before` (a background purge); returns how many. */
export async function purgeExpired(em: EntityManager, before: number): Promise<number> {
  const result = await em.delete(OneTimeTokenEntity, { expiresAt: LessThan(before) });
  return result.affected ?? 0;
}
