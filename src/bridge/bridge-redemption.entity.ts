import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { EPOCH_MS } from '../database/columns';

/** A redeemed bridge token: the visitor's identity travelled from one origin to another. */
@Entity('bridge_redemptions')
@Index('IDX_bridge_redemptions_visitor', ['accountId', 'visitorId'])
export class BridgeRedemptionEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 63 })
  accountId!: string;

  @Column({ type: 'varchar', length: 64 })
  visitorId!: string;

  @Column({ type: 'varchar', length: 300 })
  fromOrigin!: string;

  @Column({ type: 'varchar', length: 300 })
  toOrigin!: string;

  @Column(EPOCH_MS)
  at!: number;
}
