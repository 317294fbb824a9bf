import { Entity, Index, PrimaryColumn } from 'typeorm';
import { BridgeRoute } from './bridge-redemption.entity';

/**
 * Two anonymous-person ids known to be one person: a bridge token redeemed by a visitor who
 * already had an id on the target keeps that id (no identity fixation), and the token's id is
 * recorded as linked to it. Stored on both visitor records (one row each way), so each record,
 * its erasure and its account's deletion see and remove their own side.
 */
@Entity('bridge_links')
@Index('IDX_bridge_links_linked', ['linkedAccountId', 'linkedVisitorId'])
export class BridgeLinkEntity extends BridgeRoute {
  // The primary key (accountId, visitorId first) serves lookups of a visitor's links.
  @PrimaryColumn({ type: 'varchar', length: 63 })
  accountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  visitorId!: string;

  @PrimaryColumn({ type: 'varchar', length: 63 })
  linkedAccountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  linkedVisitorId!: string;
}
