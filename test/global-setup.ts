import { postgresWanted, startCluster } from './helpers/postgres';

/**
 * Starts the throwaway PostgreSQL cluster the `e2e-postgres` project runs on (under CI, or
 * with PANTRY_TEST_POSTGRES=1). Under CI a missing PostgreSQL fails the run.
 */
export default async function globalSetup(): Promise<void> {
  if (!postgresWanted()) return;
  const cluster = await startCluster();
  process.env.PANTRY_TEST_PG_URL = cluster.url;
  process.env.PANTRY_TEST_PG_DIR = cluster.dir;
  process.env.PANTRY_TEST_PG_PORT = String(cluster.port);
}
