import type { ColumnOptions } from 'typeorm';

/**
 * Epoch milliseconds: `bigint` (PostgreSQL's `integer` is 32-bit), read back as a number
 * (the pg driver returns int8 as a string to keep precision; epoch ms fit a double exactly).
 */
export const EPOCH_MS: ColumnOptions = {
  type: 'bigint',
  transformer: {
    to: (value: number | null | undefined) => value,
    from: (value: string | number | null) => (value === null ? null : Number(value)),
  },
};
