/**
 * Every database test runs on SQLite, and on MariaDB too when TEST_MYSQL_URL is set
 * (test/support/databases.ts); global-setup builds each demo database once per run.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }] },
  testTimeout: 180000,
};
