import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EPOCH_MS } from '../database/columns';

/** A visitor (anonymous-person id) of an account: first and last seen, last device, consent. */
@Entity('visitors')
export class VisitorEntity {
  // The primary key (accountId first) serves lookups by account.
  @PrimaryColumn({ type: 'varchar', length: 63 })
  accountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  visitorId!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  deviceId!: string | null;

  @Column({ type: 'varchar', length: 8 })
  consent!: string;

  /** Epoch milliseconds. */
  @Column(EPOCH_MS)
  firstSeen!: number;

  /** Epoch milliseconds. */
  @Column(EPOCH_MS)
  lastSeen!: number;

  /**
   * The last consent decision recorded (SPEC §15): its source (`pantry`, `tcf`, `gcm`), the
   * purposes a TC string consented to (comma list; never the string itself) and when (epoch
   * ms); null until a decision was recorded.
   */
  @Column({ type: 'varchar', length: 8, nullable: true })
  consentSource?: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  consentPurposes?: string | null;

  @Column({ ...EPOCH_MS, nullable: true })
  consentAt?: number | null;
}
