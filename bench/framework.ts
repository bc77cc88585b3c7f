import { fork } from 'node:child_process';
import path from 'node:path';
import autocannon from 'autocannon';
import { StatementCounter } from '../server/core/query-counter';

/** One request the rounds load: against the hub or the hello-world. */
export interface Target {
  key: string;
  label: string;
  server: 'hub' | 'hello-world';
  /** Hub only: the server with the response cache (as in production) or the one without (RESPONSE_CACHE_MB=0). */
  responseCache?: boolean;
  body: string;
  token: string | null;
}

export interface TargetResult {
  target: Target;
  /** Requests per second in each round, in round order. */
  perRound: number[];
  medianRps: number;
  /** Median over rounds of this target's req/s ÷ the hello-world's req/s of the same round. */
  ratio: number | null;
  /** SQL statements of one warm request (hub only). */
  statements: number | null;
  failures: number;
  p50Ms: number;
  p99Ms: number;
}

export interface FrameworkComparison {
  rounds: number;
  duration: number;
  connections: number;
  results: TargetResult[];
  note: string;
}

interface LoadOrder {
  url: string;
  token: string | null;
  body: string;
  connections: number;
  duration: number;
}

interface LoadResult {
  rps: number;
  failures: number;
  p50: number;
  p99: number;
}

/** A 200 answer counts only with data and no GraphQL `errors` (PITFALLS.md, load tests). */
function answered(body: string): boolean {
  try {
    const json = JSON.parse(body) as { data?: unknown; errors?: unknown[] };
    return !json.errors?.length && !!json.data;
  } catch {
    return false;
  }
}

async function load(order: LoadOrder): Promise<LoadResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (order.token) headers.authorization = `Bearer ${order.token}`;
  const result = await autocannon({ url: `${order.url}/graphql`, method: 'POST', headers, body: order.body, connections: order.connections, duration: order.duration, verifyBody: answered });
  return { rps: result.requests.average, failures: result.mismatches + result.non2xx + result.errors + result.timeouts, p50: result.latency.p50, p99: result.latency.p99 };
}

/** autocannon in a child process of its own, as for the hub's concurrent load section. */
function loadInChild(order: LoadOrder): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message: { result?: LoadResult; error?: string }) => (message.result ? resolve(message.result) : reject(new Error(message.error))));
    child.once('error', reject);
    child.send(order);
  });
}

function startHelloWorld(): Promise<{ url: string; stop(): void }> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'hello-world.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message: { port: number }) => resolve({ url: `http://127.0.0.1:${message.port}`, stop: () => child.kill() }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`hello-world exited with ${code}`)));
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function statementsOf(url: string, target: Target): Promise<number> {
  const send = () => fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(target.token ? { authorization: `Bearer ${target.token}` } : {}) }, body: target.body }).then((r) => r.text());
  const first = await send(); // warms the caches
  if (!answered(first)) throw new Error(`${target.label}: ${first.slice(0, 300)}`);
  const before = StatementCounter.count;
  await send();
  return StatementCounter.count - before;
}

/**
 * Rounds of load, each target once per round for `duration` seconds with `connections`
 * connections; the order turns every round so no target always follows the same one. A ratio is
 * taken within a round (hub ÷ hello-world of that round), then the median over rounds.
 */
export async function compareWithFramework(hubUrls: { cached: string; uncached: string }, targets: Target[], rounds: number, duration: number, connections: number, print: (line: string) => void): Promise<FrameworkComparison> {
  const hello = await startHelloWorld();
  try {
    const urlOf = (t: Target) => (t.server === 'hello-world' ? hello.url : t.responseCache ? hubUrls.cached : hubUrls.uncached);
    const statements = new Map<string, number>();
    for (const target of targets) if (target.server === 'hub') statements.set(target.key, await statementsOf(urlOf(target), target));
    // A short warm-up of each, outside the rounds (JIT, pools, caches).
    for (const target of targets) await loadInChild({ url: urlOf(target), token: target.token, body: target.body, connections, duration: Math.min(2, duration) });
    const runs = new Map<string, LoadResult[]>(targets.map((t) => [t.key, []]));
    for (let round = 0; round < rounds; round++) {
      const order = targets.map((_, i) => targets[(i + round) % targets.length]);
      for (const target of order) {
        const result = await loadInChild({ url: urlOf(target), token: target.token, body: target.body, connections, duration });
        runs.get(target.key)!.push(result);
        print(`[framework] round ${round + 1} ${target.label}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, failures ${result.failures}`);
      }
    }
    const helloRuns = runs.get(targets.find((t) => t.server === 'hello-world')!.key)!;
    const results = targets.map((target): TargetResult => {
      const mine = runs.get(target.key)!;
      return {
        target,
        perRound: mine.map((r) => r.rps),
        medianRps: median(mine.map((r) => r.rps)),
        ratio: target.server === 'hub' ? median(mine.map((r, i) => r.rps / helloRuns[i].rps)) : null,
        statements: statements.get(target.key) ?? null,
        failures: mine.reduce((sum, r) => sum + r.failures, 0),
        p50Ms: median(mine.map((r) => r.p50)),
        p99Ms: median(mine.map((r) => r.p99)),
      };
    });
    return { rounds, duration, connections, results, note: '' };
  } finally {
    hello.stop();
  }
}

export function renderFramework(c: FrameworkComparison): string[] {
  const int = (n: number) => Math.round(n).toLocaleString('en');
  return [
    '## Against an Apollo Server hello-world (same run)',
    '',
    `An Apollo Server hello-world (\`{ hello }\`, same @apollo/server and graphql as the hub) served the way the hub is served (node:http, body read and parsed, \`executeHTTPGraphQLRequest\`; bench/hello-world.ts), in its own process. ` +
      `${c.rounds} interleaved rounds: each round loads every target for ${c.duration} s with autocannon (${c.connections} connections, keep-alive, a separate process; the order turns every round). ` +
      'A ratio is hub req/s ÷ hello-world req/s within a round, then the median over rounds. Responses with GraphQL `errors` count as failures.',
    '',
    '| request | server | req/s (median) | per round | p50 / p99 ms | hub ÷ hello-world | SQL statements per request (warm) | failures |',
    '|---|---|---:|---|---:|---:|---:|---:|',
    ...c.results.map((r) => `| ${r.target.label} | ${r.target.server === 'hub' ? (r.target.responseCache ? 'hub, response cache (hits)' : 'hub, no response cache') : r.target.server} | ${int(r.medianRps)} | ${r.perRound.map(int).join(', ')} | ${r.p50Ms} / ${r.p99Ms} | ${r.ratio === null ? '—' : `**${r.ratio.toFixed(2)}×**`} | ${r.statements ?? '—'} | ${r.failures} |`),
    '',
    ...(c.note ? [c.note, ''] : []),
  ];
}

// In a child: one load order in, one result out.
if (require.main === module && process.send) {
  process.once('message', (order: LoadOrder) => {
    load(order).then(
      (result) => process.send?.({ result }, () => process.exit(0)),
      (error: unknown) => process.send?.({ error: error instanceof Error ? error.message : String(error) }, () => process.exit(1)),
    );
  });
}
