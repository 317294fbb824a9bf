// setupFiles of the e2e-postgres project: every workspace of these test files gets a fresh
// PostgreSQL database instead of a SQLite file (see createWorkspace).
process.env.PANTRY_TEST_DB = 'postgres';
