import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EPOCH_MS } from '../database/columns';

/**
 * A signed-in operator console session (SPEC §17), shared by every node. The session id is
 * never stored: only its SHA-256, which a presented cookie is looked up by. The principal is
 * the admin token (bound to the token in force) or an account credential (looked up on every
 * use, so a revoked credential's sessions end with it).
 */
@Entity('console_sessions')
@Index('IDX_console_sessions_accountId', ['accountId'])
export class ConsoleSessionEntity {
  /** Hex SHA-256 of the session id. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  idHash!: string;

  /** `admin` or `credential`. */
  @Column({ type: 'varchar', length: 16 })
  kind!: string;

  /** The credential's account; null for the admin token. */
  @Column({ type: 'varchar', length: 63, nullable: true })
  accountId!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  credentialId!: string | null;

  /** An admin session's binding to the admin token (console-session.ts adminBindingOf). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  binding!: string | null;

  /** Epoch milliseconds. */
  @Column(EPOCH_MS)
  createdAt!: number;

  /** Epoch milliseconds of the last use written back (idle expiry). */
  @Column(EPOCH_MS)
  lastSeenAt!: number;
}
