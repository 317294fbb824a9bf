import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EPOCH_MS } from '../database/columns';

/** One row that /health writes, proving the database takes writes (not only reads). */
@Entity('health_probe')
export class HealthProbeEntity {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  /** Epoch milliseconds of the last probe. */
  @Column(EPOCH_MS)
  checkedAt!: number;
}
