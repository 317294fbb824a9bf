import { stopCluster } from './helpers/postgres';

export default function globalTeardown(): void {
  const dir = process.env.PANTRY_TEST_PG_DIR;
  if (dir) stopCluster({ dir });
}
