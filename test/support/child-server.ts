import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { TEST_SECRET } from './server';

const ROOT = path.join(__dirname, '..', '..');

/**
 * What a deployment sets: jest runs with NODE_ENV=test, which children would inherit, and
 * behaviour differs by NODE_ENV (Apollo's signal handlers, graphql-js's checks, error details).
 */
export const DEPLOYMENT_ENV = { NODE_ENV: 'production' } as const;

export interface ChildServer {
  child: ChildProcess;
  port: number;
  url: string;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  output(): string;
  /** SIGKILL if still running; resolves once it has ended. */
  kill(): Promise<void>;
}

/** `npm run build`, once per test file that starts the built server. */
export function buildOnce(): void {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
}

/** Starts `node dist/server/main.js` as a container does (NODE_ENV=production); resolves once it listens. */
export async function startChildServer(databaseUrl: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const fullEnv = { ...process.env, ...DEPLOYMENT_ENV, DATABASE_URL: databaseUrl, JWT_SECRET: TEST_SECRET, PORT: '0', LOG_LEVEL: 'info', ...env };
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'server', 'main.js')], { cwd: ROOT, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not listen within 120 s:\n${output}`)), 120_000);
    child.stdout!.on('data', () => {
      const match = /listening on http:\/\/localhost:(\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve(Number(match[1]));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${output}`));
    });
  });
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    exited,
    output: () => output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
