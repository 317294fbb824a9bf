import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row that /health writes, proving the database takes writes (not only reads). */
@Entity('health_probe')
export class HealthProbeEntity {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  /** Epoch milliseconds of the last probe. */
  @Column({ type: 'bigint' })
  checkedAt!: number;
}
