/** Every database test runs on SQLite, and on MariaDB too when TEST_MYSQL_URL is set (see test/support/databases.ts). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json', isolatedModules: false }] },
  testTimeout: 120000,
};
