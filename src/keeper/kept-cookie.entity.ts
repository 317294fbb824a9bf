import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EPOCH_MS } from '../database/columns';

/** One kept cookie of a visitor (SPEC §14): its name and the latest value the browser sent. */
@Entity('kept_cookies')
export class KeptCookieEntity {
  // The primary key (accountId, visitorId first) serves lookups by visitor and by account.
  @PrimaryColumn({ type: 'varchar', length: 63 })
  accountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  visitorId!: string;

  @PrimaryColumn({ type: 'varchar', length: 256 })
  name!: string;

  @Column({ type: 'text' })
  value!: string;

  /** Epoch milliseconds. */
  @Column(EPOCH_MS)
  updatedAt!: number;
}
