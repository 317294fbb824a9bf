import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EPOCH_MS } from '../database/columns';

/**
 * An account credential (SPEC §19): a named token with one role on one account. The token is
 * never stored: only its SHA-256, which is what a presented token is looked up by.
 */
@Entity('account_credentials')
@Index('IDX_account_credentials_accountId', ['accountId'])
export class AccountCredentialEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id!: string;

  @Column({ type: 'varchar', length: 63 })
  accountId!: string;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: string;

  /** Hex SHA-256 of the token. */
  @Index('IDX_account_credentials_tokenHash', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  tokenHash!: string;

  /** Epoch milliseconds. */
  @Column(EPOCH_MS)
  createdAt!: number;
}
