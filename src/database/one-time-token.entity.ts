import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EPOCH_MS } from './columns';

/** A token usable once, by whichever node sees it first. */
@Entity('one_time_tokens')
export class OneTimeTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Index('IDX_one_time_tokens_accountId')
  @Column({ type: 'varchar', length: 63 })
  accountId!: string;

  /** What the token is for (`bridge`, …): a token of one purpose never serves another. */
  @Column({ type: 'varchar', length: 32 })
  purpose!: string;

  /** JSON. */
  @Column({ type: 'text' })
  payload!: string;

  @Index('IDX_one_time_tokens_expiresAt')
  @Column(EPOCH_MS)
  expiresAt!: number;

  @Column({ ...EPOCH_MS, nullable: true })
  usedAt!: number | null;
}
