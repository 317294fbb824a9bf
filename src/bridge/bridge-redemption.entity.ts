import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { EPOCH_MS } from '../database/columns';

/** Where a bridge token took an identity, and when: the columns redemptions and links share. */
export abstract class BridgeRoute {
  @Column({ type: 'varchar', length: 300 })
  fromOrigin!: string;

  @Column({ type: 'varchar', length: 300 })
  toOrigin!: string;

  @Column(EPOCH_MS)
  at!: number;
}

/** A redeemed bridge token: the visitor's identity travelled from one origin to another. */
@Entity('bridge_redemptions')
@Index('IDX_bridge_redemptions_visitor', ['accountId', 'visitorId'])
export class BridgeRedemptionEntity extends BridgeRoute {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 63 })
  accountId!: string;

  @Column({ type: 'varchar', length: 64 })
  visitorId!: string;
}
