import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** An admin-API override of an ACCOUNT property: above default, application.properties and the account file. */
@Entity('property_overrides')
export class PropertyOverrideEntity {
  @Index('IDX_property_overrides_accountId')
  @PrimaryColumn({ type: 'varchar', length: 63 })
  accountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  key!: string;

  @Column({ type: 'text' })
  value!: string;

  @UpdateDateColumn()
  updatedAt!: Date;
}
