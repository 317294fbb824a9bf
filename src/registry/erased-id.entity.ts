import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EPOCH_MS } from '../database/columns';

/** An identifier (visitor or device) erased on request: cookies carrying it are refused. */
@Entity('erased_ids')
export class ErasedIdEntity {
  // The primary key (accountId first) serves lookups by account.
  @PrimaryColumn({ type: 'varchar', length: 63 })
  accountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  /** Epoch milliseconds. */
  @Index('IDX_erased_ids_erasedAt')
  @Column(EPOCH_MS)
  erasedAt!: number;
}
