import 'reflect-metadata';
import { createApp } from './app';
import { signToken } from './auth/jwt';
import { Role } from './auth/role';
import { assertSafeAddress, databaseKind, isLoopback, loadConfig } from './core/config';
import { createDataSource } from './data-source';
import { logger, setLogLevel } from './core/logger';
import { currentRequestScope } from './core/request-scope';
import { hasUnits, migrate, prepareStatistics, seed } from './setup/database-setup';

async function main(): Promise<void> {
  surviveUnhandledRejections();
  const config = loadConfig();
  assertSafeAddress(config);
  setLogLevel(config.logLevel);
  const embedded = databaseKind(config.databaseUrl) === 'sqlite';
  const dataSource = await createDataSource(config.databaseUrl, { limits: config.database }).initialize();
  if (embedded) {
    // The embedded default sets itself up: migrations, then demo data the first time.
    const applied = await migrate(dataSource);
    if (applied.length) logger.info('migrations applied', { migrations: applied });
    if (!(await hasUnits(dataSource))) await seed(dataSource, { demo: true, print: (line) => console.log(line) });
    await prepareStatistics(dataSource, (line) => console.log(line));
  }
  const demoToken = embedded && config.jwtSecretIsDefault ? signToken({ sub: 'demo-analyst@20', unit: '20', role: Role.ANALYST }, config.jwtSecret) : null;
  const app = await createApp(dataSource, config, { explorerToken: demoToken });
  const port = await app.listen(config.port, config.host);
  console.log(`bdg-hub listening on http://${displayHost(config.host)}:${port}/graphql (${embedded ? 'embedded SQLite' : 'MySQL'}); open it in a browser for GraphiQL`);
  if (embedded && config.jwtSecretIsDefault) printDemoTokens(config.jwtSecret);

  // SIGTERM (orchestrators) and SIGINT (Ctrl-C): stop accepting, let requests in flight finish
  // within the grace period, then close the database (what is still open rolls back) and exit.
  // A second signal does not wait. This is the only handler (Apollo's is off, server/app.ts).
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info('shutting down', { signal, graceMs: config.shutdownGraceMs });
    try {
      await app.shutdown(config.shutdownGraceMs);
      await dataSource.destroy();
    } catch (error) {
      logger.error('shutdown failed', { signal, error: error instanceof Error ? error.stack : String(error) });
      process.exit(1);
    }
    logger.info('stopped', { signal });
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/**
 * One request's stray rejection (a promise someone forgot to await) must not end the process and
 * every other request with it, which is Node's default: it is logged, with the request it came from
 * (the rejection is reported in the async context of the promise), and the server keeps serving.
 */
function surviveUnhandledRejections(): void {
  process.on('unhandledRejection', (reason: unknown) => {
    logger.error('unhandled rejection', { requestId: currentRequestScope()?.requestId ?? null, error: reason instanceof Error ? reason.stack : String(reason) });
  });
}

function displayHost(host: string): string {
  if (isLoopback(host)) return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

function printDemoTokens(secret: string): void {
  const tokens = [
    ['national ADMIN (VN)', 'VN', Role.ADMIN],
    ['Lạng Sơn ANALYST (20)', '20', Role.ANALYST],
    ['Lợi Bác EDITOR (06601)', '06601', Role.EDITOR],
  ] as const;
  console.log('\nDemo tokens (embedded database, default secret; valid 30 days) — send as "Authorization: Bearer <token>":');
  for (const [label, unit, role] of tokens) console.log(`  ${label}:\n    ${signToken({ sub: `demo-${role.toLowerCase()}@${unit}`, unit, role }, secret)}`);
}

main().catch((error: unknown) => {
  logger.error('startup failed', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
