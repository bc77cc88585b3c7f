import { fork } from 'node:child_process';
import path from 'node:path';
import autocannon from 'autocannon';

export interface LoadTestRequest {
  url: string;
  token: string;
  body: string;
  connections: number;
  duration: number;
}

export interface LoadTestResult {
  connections: number;
  duration: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p97_5: number; p99: number; max: number; average: number };
  /** Responses that were 200 but carried GraphQL `errors` (or no statistics). */
  graphqlErrors: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  transportErrors: number;
  failures: number;
}

/** A 200 answer only counts as a success when it has statistics and no GraphQL `errors`. */
function isSuccess(body: string): boolean {
  try {
    const json = JSON.parse(body) as { data?: { statistics?: unknown }; errors?: unknown[] };
    return !json.errors?.length && !!json.data?.statistics;
  } catch {
    return false;
  }
}

async function run(request: LoadTestRequest): Promise<LoadTestResult> {
  const result = await autocannon({
    url: `${request.url}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${request.token}` },
    body: request.body,
    connections: request.connections,
    duration: request.duration,
    verifyBody: isSuccess,
  });
  const { latency } = result;
  return {
    connections: request.connections,
    duration: result.duration,
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    latencyMs: { p50: latency.p50, p90: latency.p90, p97_5: latency.p97_5, p99: latency.p99, max: latency.max, average: latency.average },
    graphqlErrors: result.mismatches,
    non2xx: result.non2xx,
    transportErrors: result.errors + result.timeouts,
    failures: result.mismatches + result.non2xx + result.errors + result.timeouts,
  };
}

/**
 * Runs autocannon in a child process, so the load generator does not share the server's event
 * loop (on a 2-core machine it still shares the CPUs, which the report says).
 */
export function runLoadTest(request: LoadTestRequest): Promise<LoadTestResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'load-client.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    child.once('message', (message: { result?: LoadTestResult; error?: string }) => {
      settled = true;
      if (message.result) resolve(message.result);
      else reject(new Error(message.error ?? 'load test failed'));
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`load test process exited with ${code}`));
    });
    child.send(request);
  });
}

// In the child: one request in, one result out.
if (require.main === module && process.send) {
  process.once('message', (request: LoadTestRequest) => {
    run(request).then(
      (result) => process.send?.({ result }, () => process.exit(0)),
      (error: unknown) => process.send?.({ error: error instanceof Error ? error.message : String(error) }, () => process.exit(1)),
    );
  });
}
