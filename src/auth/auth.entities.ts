import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EPOCH_MS } from '../database/columns';
import { CUSTOMER_ID_MAX_LENGTH } from './customer-id';

/** A login session: what the authsession cookie's session id stands for. */
@Entity('auth_sessions')
@Index('IDX_auth_sessions_customer', ['accountId', 'customerId'])
export class AuthSessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 63 })
  accountId!: string;

  @Column({ type: 'varchar', length: CUSTOMER_ID_MAX_LENGTH })
  customerId!: string;

  @Column({ type: 'varchar', length: 64 })
  visitorId!: string;

  @Column(EPOCH_MS)
  createdAt!: number;

  @Column(EPOCH_MS)
  expiresAt!: number;

  @Column({ ...EPOCH_MS, nullable: true })
  revokedAt!: number | null;
}

/** An anonymous visitor id linked to a customer (at most one customer per id). */
@Entity('customer_links')
@Index('IDX_customer_links_customer', ['accountId', 'customerId'])
export class CustomerLinkEntity {
  @PrimaryColumn({ type: 'varchar', length: 63 })
  accountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  visitorId!: string;

  @Column({ type: 'varchar', length: CUSTOMER_ID_MAX_LENGTH })
  customerId!: string;

  @Column(EPOCH_MS)
  linkedAt!: number;

  @Column(EPOCH_MS)
  lastSeen!: number;
}
