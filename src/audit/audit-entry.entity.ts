import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { EPOCH_MS } from '../database/columns';

/** One admin change: who, what, when. Never holds a secret. */
@Entity('audit_log')
export class AuditEntryEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  /** Epoch milliseconds. */
  @Index('IDX_audit_log_at')
  @Column(EPOCH_MS)
  at!: number;

  @Column({ type: 'varchar', length: 200 })
  actor!: string;

  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Index('IDX_audit_log_accountId')
  @Column({ type: 'varchar', length: 63, nullable: true })
  accountId!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  target!: string | null;

  /** JSON. */
  @Column({ type: 'text', nullable: true })
  details!: string | null;
}
