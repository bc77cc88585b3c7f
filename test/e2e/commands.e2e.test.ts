import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import jwt from 'jsonwebtoken';

/**
 * Every command of package.json, typed as a user types it, on a fresh copy of the project (no
 * dist/, no var/; node_modules linked): the npm scripts build it themselves with tsc. A copy, so
 * `npm run codegen` can never rewrite the working tree; its output is compared with the tree's.
 * Commands run on SQLite (the embedded default) only. `npm test` is this suite; `build` and
 * `prestart` run inside every other command.
 */
const ROOT = path.join(__dirname, '..', '..');
const SECRET = 'commands-test-secret';
const NOT_COPIED = new Set(['node_modules', 'dist', 'var', '.git', path.join('test', 'artifacts'), path.join('bench', 'data')]);
const RAN = new Set<string>();

let copy: string;
let databaseFile: string;
let env: NodeJS.ProcessEnv;
let token: string;

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs a command line in a shell in the copy, the way it is written in the README. */
function run(commandLine: string, extraEnv: NodeJS.ProcessEnv = {}): Ran {
  RAN.add(/^npm (?:run (?:--silent )?)?([\w:-]+)/.exec(commandLine)?.[1] ?? commandLine);
  const started = Date.now();
  const result = spawnSync(commandLine, { cwd: copy, env: { ...env, ...extraEnv }, shell: true, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ran = { status: result.status, stdout: result.stdout, stderr: result.stderr, seconds: (Date.now() - started) / 1000 };
  if (ran.status !== 0) console.error(`${commandLine} exited with ${ran.status}\n${ran.stdout}\n${ran.stderr}`);
  return ran;
}

function count(sql: string): number {
  const db = new Database(databaseFile, { readonly: true });
  try {
    return Number((db.prepare(sql).get() as { n: number }).n);
  } finally {
    db.close();
  }
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

beforeAll(() => {
  copy = fs.mkdtempSync(path.join(os.tmpdir(), 'bdg-hub-commands-'));
  fs.cpSync(ROOT, copy, { recursive: true, filter: (source) => !NOT_COPIED.has(path.relative(ROOT, source)) });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  databaseFile = path.join(copy, 'commands.sqlite');
  // A deployment's shell: none of the npm_* variables jest may have been started with, and
  // NODE_ENV=production instead of jest's NODE_ENV=test, which the commands would inherit.
  env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_|^INIT_CWD$|^DATABASE_URL$/i.test(key)));
  Object.assign(env, { NODE_ENV: 'production', DATABASE_URL: `sqlite:${databaseFile}`, JWT_SECRET: SECRET, LOG_LEVEL: 'warn' });
});

afterAll(() => {
  if (copy) fs.rmSync(copy, { recursive: true, force: true });
});

describe('the commands of package.json, as typed from a fresh copy', () => {
  it('npm run --silent token -- --unit VN --role ADMIN prints a token and nothing else', () => {
    const ran = run('npm run --silent token -- --unit VN --role ADMIN');
    expect(ran.status).toBe(0);
    token = ran.stdout.trim();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(jwt.verify(token, SECRET)).toMatchObject({ unit: 'VN', role: 'ADMIN' });
  });

  it('npm run lint finds no floating promise (npm test runs it first)', () => {
    const ran = run('npm run lint');
    expect(ran.status).toBe(0);
  });

  it('npm run db:migrate creates the schema', () => {
    const ran = run('npm run db:migrate');
    expect(ran.status).toBe(0);
    expect(ran.stdout).toMatch(/Applied \d+ migrations/);
    expect(count('SELECT COUNT(*) AS n FROM migrations')).toBeGreaterThan(0);
  });

  it('npm run db:seed loads the reference units and the indicator catalogue', () => {
    const ran = run('npm run db:seed');
    expect(ran.status).toBe(0);
    // 34 + 63 provinces, 696 districts, 3,321 + 10,035 communes, and the nation.
    expect(count('SELECT COUNT(*) AS n FROM administrative_unit')).toBeGreaterThan(14_000);
    expect(count('SELECT COUNT(*) AS n FROM indicator')).toBeGreaterThan(0);
  });

  it('npm run import -- FILE loads a CSV', () => {
    expect(count('SELECT COUNT(*) AS n FROM observation')).toBe(0);
    fs.writeFileSync(path.join(copy, 'observations.csv'), 'indicator,unit,period,sex,numerator,denominator\nPEOPLES_COUNCIL_DEPUTY,06601,2026,FEMALE,7,1\nPEOPLES_COUNCIL_DEPUTY,06601,2026,MALE,13,1\n');
    const good = run('npm run import -- --subject importer@06601 observations.csv');
    expect(good.status).toBe(0);
    expect(good.stderr).toMatch(/2 rows valid, 2 changed, loaded/);
    expect(count('SELECT COUNT(*) AS n FROM observation')).toBe(2);
  });

  it('npm run db:rebuild-statistics -- --check finds the imported rows rolled up', () => {
    const ran = run('npm run db:rebuild-statistics -- --check');
    expect(ran.status).toBe(0);
    expect(ran.stdout).toContain('Rollups equal a full recomputation.');
    expect(count('SELECT COUNT(*) AS n FROM statistics_rollup')).toBeGreaterThan(0);
  });

  it('npm run catalogue -- export FILE, then import FILE, changes nothing', () => {
    const exported = run('npm run catalogue -- export catalogue.csv');
    expect(exported.status).toBe(0);
    expect(fs.readFileSync(path.join(copy, 'catalogue.csv'), 'utf8').startsWith('\uFEFFcode,')).toBe(true);
    const imported = run('npm run catalogue -- import catalogue.csv');
    expect(imported.status).toBe(0);
    expect(imported.stdout).toMatch(/0 added, 0 changed/);
  });

  it('npm run schema writes the committed schema', () => {
    fs.rmSync(path.join(copy, 'schema', 'schema.graphql'));
    const ran = run('npm run schema');
    expect(ran.status).toBe(0);
    expect(fs.readFileSync(path.join(copy, 'schema', 'schema.graphql'), 'utf8')).toBe(fs.readFileSync(path.join(ROOT, 'schema', 'schema.graphql'), 'utf8'));
  });

  it('npm run --silent codegen regenerates exactly the committed files', () => {
    fs.rmSync(path.join(copy, 'schema', 'generated'), { recursive: true });
    const ran = run('npm run --silent codegen');
    expect(ran.status).toBe(0);
    const committed = filesUnder(path.join(ROOT, 'schema'));
    expect(filesUnder(path.join(copy, 'schema'))).toEqual(committed);
    for (const file of committed) {
      const same = fs.readFileSync(path.join(copy, 'schema', file), 'utf8') === fs.readFileSync(path.join(ROOT, 'schema', file), 'utf8');
      expect(`${file}: ${same ? 'unchanged' : 'changed by codegen'}`).toBe(`${file}: unchanged`);
    }
  });

  it('npm start serves /healthz and GraphQL with the token from npm run token', async () => {
    RAN.add('start');
    // Detached: npm starts a shell that starts node; the whole group is stopped at the end.
    const child: ChildProcess = spawn('npm start', { cwd: copy, env: { ...env, PORT: '0', LOG_LEVEL: 'warn' }, shell: true, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`npm start did not listen within 90 s:\n${output}`)), 90_000);
        child.stdout!.on('data', () => {
          const match = /listening on http:\/\/localhost:(\d+)\/graphql/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        });
        child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
      });
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ me { role unit { code } } }' }),
      });
      expect(await response.json()).toMatchObject({ data: { me: { role: 'ADMIN', unit: { code: 'VN' } } } });
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
  });

  it('npm run bench runs end to end with its smallest options', () => {
    const out = path.join(copy, 'bench-results.md');
    const ran = run(`npm run bench -- --sqlite --scale 0.01 --runs 1 --warmup 0 --budget 1 --connections 1 --duration 1 --row-by-row 0 --framework-rounds 1 --drop --out ${out}`);
    expect(ran.status).toBe(0);
    expect(ran.stdout).toMatch(/API sums equal/);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/nation by province/);
  });

  it('npm run bench:exports runs end to end on 1,000 rows', () => {
    const ran = run('npm run bench:exports -- --rows 1000 --only sqlite --formats csv --no-report');
    expect(ran.status).toBe(0);
    expect(ran.stdout).toMatch(/sqlite csv: 1000 rows/);
  });

  it('npm run bench:faults runs end to end with its smallest options, on a private MariaDB it starts and stops', () => {
    const out = path.join(copy, 'faults.md');
    const datadir = path.join(os.tmpdir(), `bdg-hub-faults-${process.pid}`);
    try {
      const ran = run(`npm run bench:faults -- --lock-seconds 2 --writes 5 --reads 5 --load-seconds 6 --import-rows 2000 --heavy-seconds 3 --port 3308 --datadir ${datadir} --out ${out}`);
      expect(ran.status).toBe(0);
      const report = fs.readFileSync(out, 'utf8');
      expect(report).toMatch(/^3\. kill -9 of `npm run import` at half way .*: holds\./m);
      expect(report).toMatch(/failed answers that are not 503 \+ retryable code \+ Retry-After \| 0 \|/);
      expect(report).toMatch(/acknowledged writes lost \(no revision with their comment\) \| 0 \|/);
      // The process faults of issue 24 (bench/faults-process.ts), each with its verdict.
      for (const section of ['Redis killed and restarted empty', 'The rate limit passed on every route', 'SIGTERM while exports stream', 'SIGTERM under a stream of writes']) {
        expect(report).toMatch(new RegExp(`^## ${section}[^\\n]*: holds$`, 'm'));
      }
      // The durability faults (bench/faults-durability.ts) and the heavy query of issue 23 (bench/faults-heavy.ts).
      expect(report.match(/Result: holds\./g)?.length).toBe(2);
      expect(report).toMatch(/SQLite \(embedded\) holds; MariaDB holds\./);
    } finally {
      fs.rmSync(datadir, { recursive: true, force: true });
      fs.rmSync(`${datadir}.sock`, { force: true });
    }
  }, 900_000);

  it('npm run bench:import runs end to end on files of 1,000 rows, one loaded, one killed at half way and re-run, in a MariaDB database of its own', () => {
    const out = path.join(copy, 'import.md');
    const database = `bdg_bench_import_${process.pid}`;
    const ran = run(`npm run bench:import -- --rows 1000 --batch 100 --database ${database} --drop --mysql-url ${process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'} --out ${out}`);
    expect(ran.status).toBe(0);
    const report = fs.readFileSync(out, 'utf8');
    // The first file loaded whole; the kill of the second left the 1,000 rows as they were; its re-run loaded it.
    expect(report).toMatch(/\| observations, revisions after it \| 1000, 1000 \| 1000, 1000 \|/);
    expect(report).toMatch(/\| observations \| 1000 \| 1000 \| yes \|/);
    expect(report).toMatch(/\| observations \| 2000 \| 2000 \|/);
    expect(report).not.toMatch(/\*\*no\*\*|differences:/);
  }, 300_000);

  it('left no command of package.json untried', () => {
    const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>);
    const implied = ['test', 'pretest', 'build', 'prestart'];
    expect(scripts.filter((s) => !implied.includes(s) && !RAN.has(s))).toEqual([]);
  });
});
