import { ApiProperty } from '@nestjs/swagger';

class BridgeRedemptionDto {
  @ApiProperty({ example: 'https://www.shop.com' })
  from!: string;

  @ApiProperty({ example: 'https://www.checkout-shop.net' })
  to!: string;

  @ApiProperty({ example: '2026-11-22T10:06:00.000Z' })
  at!: string;
}

/** An id a bridge redemption linked to this one, and the route its token took. */
class VisitorLinkDto extends BridgeRedemptionDto {
  @ApiProperty({
    example: 'acme',
    description: 'The account of the linked id (this one or a partner)',
  })
  account!: string;

  @ApiProperty({ description: 'The anonymous-person id linked to this one' })
  visitorId!: string;
}

export class VisitorDto {
  @ApiProperty({ example: 'acme' })
  accountId!: string;

  @ApiProperty({ description: 'The anonymous-person id' })
  visitorId!: string;

  @ApiProperty({ nullable: true, type: String, description: 'The last device id seen with it' })
  deviceId!: string | null;

  @ApiProperty({ enum: ['granted', 'denied', 'unset'] })
  consent!: string;

  @ApiProperty({
    nullable: true,
    enum: ['pantry', 'tcf', 'gcm'],
    description:
      'Where the last recorded consent decision came from (SPEC §15): a consent() call, the TCF CMP, Google Consent Mode; null before any',
  })
  consentSource!: string | null;

  @ApiProperty({
    type: [Number],
    example: [1, 2, 7],
    description: 'The TCF purposes the decision’s TC string consented to (never the string)',
  })
  consentPurposes!: number[];

  @ApiProperty({ nullable: true, type: String, example: '2026-11-22T10:00:00.000Z' })
  consentAt!: string | null;

  @ApiProperty({ example: '2026-11-22T10:00:00.000Z' })
  firstSeen!: string;

  @ApiProperty({ example: '2026-11-22T10:05:00.000Z' })
  lastSeen!: string;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The customer a login linked this id to',
  })
  customerId!: string | null;

  @ApiProperty({
    type: [BridgeRedemptionDto],
    description: 'Cross-domain bridge redemptions that carried this id',
  })
  bridges!: BridgeRedemptionDto[];

  @ApiProperty({
    type: [VisitorLinkDto],
    description:
      'Ids a bridge token linked to this one while the visitor kept its own (bridge "already_identified"); shown on both records',
  })
  links!: VisitorLinkDto[];

  @ApiProperty({
    type: [String],
    example: ['_ga', 'ajs_anonymous_id'],
    description:
      'The names of the analytics id cookies the cookie keeper holds for this visitor (keeper.cookies); never their values',
  })
  keptCookies!: string[];
}
