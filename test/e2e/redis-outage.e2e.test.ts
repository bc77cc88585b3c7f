import { testDatabases } from '../support/databases';
import { Instance, startInstances, testToken } from '../support/instances';
import { PrivateRedis } from '../support/private-redis';

/**
 * With REDIS_URL, the instances share rate limits and cache versions through Redis. When Redis
 * goes away, a request must get what a database outage gives (503 DATABASE_UNAVAILABLE with
 * Retry-After: the client retries), not a 500 it cannot tell from a bug; and once Redis is back,
 * the same instance serves again without a restart. The test runs its own redis-server on a free
 * port and kills it (SIGKILL, as a crash), never the machine's shared one.
 */
const INDICATORS = '{ indicators { code } }';

describe.each(testDatabases())('Redis going away under an instance on $name', (db) => {
  let redis: PrivateRedis;
  let cluster: Awaited<ReturnType<typeof startInstances>>;
  let hub: Instance;
  const analyst = testToken('20', 'ANALYST');

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    cluster = await startInstances(db, 1, { REDIS_URL: redis.url });
    [hub] = cluster.instances;
  });
  // The instance first, while its Redis still runs: closing removes the database's keys from it.
  afterAll(async () => {
    if (cluster) await cluster.close();
    if (redis) await redis.kill();
  });

  async function ask() {
    const response = await fetch(`${hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${analyst}` }, body: JSON.stringify({ query: INDICATORS }) });
    const body = (await response.json()) as { data?: { indicators?: unknown[] }; errors?: { extensions?: { code?: string; retryAfter?: number } }[] };
    return { status: response.status, retryAfter: response.headers.get('retry-after'), code: body.errors?.[0]?.extensions?.code ?? null, rows: body.data?.indicators?.length ?? 0 };
  }

  it('answers 503 DATABASE_UNAVAILABLE with Retry-After while Redis is down, and serves again once it is back', async () => {
    const before = await ask();
    expect([before.status, before.code, before.rows > 10]).toEqual([200, null, true]);

    await redis.kill();
    const during = [await ask(), await ask()];
    for (const answer of during) expect([answer.status, answer.code, Number(answer.retryAfter) > 0]).toEqual([503, 'DATABASE_UNAVAILABLE', true]);

    await redis.restart();
    let after = await ask();
    // ioredis reconnects with a backoff of its own: give it a few seconds.
    for (let attempt = 0; attempt < 40 && after.status !== 200; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      after = await ask();
    }
    expect([after.status, after.code, after.rows > 10]).toEqual([200, null, true]);
  });
});
