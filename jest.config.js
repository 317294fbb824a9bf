// Jest: unit specs beside the code, e2e suites in test/. The e2e suites run twice under CI (or
// with PANTRY_TEST_POSTGRES=1): on SQLite, and on a throwaway PostgreSQL cluster that
// test/global-setup.ts starts (a missing PostgreSQL fails the run there, it never skips).
const wantPostgres = process.env.CI === 'true' || process.env.PANTRY_TEST_POSTGRES === '1';

const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  // content-disposition@3 is ESM-only (required through Node 20.19's require(esm)).
  '^.+/node_modules/content-disposition/.+\\.js$': [
    'ts-jest',
    {
      tsconfig: {
        allowJs: true,
        module: 'commonjs',
        moduleResolution: 'node',
        isolatedModules: true,
      },
    },
  ],
};

const common = {
  rootDir: '.',
  transform,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // The fleets run on PostgreSQL only (several nodes share one database).
      testPathIgnorePatterns: [
        '/node_modules/',
        '<rootDir>/test/fleet-haproxy.e2e-spec.ts',
        '<rootDir>/test/edge-fleet.e2e-spec.ts',
      ],
    },
    ...(wantPostgres
      ? [
          {
            ...common,
            displayName: 'e2e-postgres',
            testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
            // Suites about SQLite files, and the browser suites (the database does not change
            // what the browser sees), run once.
            testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/browser/'],
            setupFiles: ['<rootDir>/test/helpers/use-postgres.ts'],
          },
        ]
      : []),
  ],
};
