import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** An API key created through the admin API, for any account (file or API). */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  key!: string;

  @Index('IDX_api_keys_accountId')
  @Column({ type: 'varchar', length: 63 })
  accountId!: string;

  @CreateDateColumn()
  createdAt!: Date;
}
