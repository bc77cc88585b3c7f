import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { createApp, App } from '../../server/app';
import { signToken } from '../../server/auth/jwt';
import { Role } from '../../server/auth/role';
import { loadConfig } from '../../server/core/config';
import { setLogLevel } from '../../server/core/logger';
import { redisNamespace } from '../../server/core/redis';
import { copyDatabase, openDataSource, TestDatabase } from './databases';
import { GraphQLResponse, TEST_SECRET } from './server';

/** One server process's worth: its own data source (pool) and app, on a database others may share. */
export interface Instance {
  url: string;
  dataSource: DataSource;
  app: App;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string | null, extra?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
}

export function testToken(unit: string, role: Role | keyof typeof Role, sub = `test-${String(role).toLowerCase()}@${unit}`): string {
  return signToken({ sub, unit, role: role as Role }, TEST_SECRET, 3600);
}

export async function startInstance(databaseUrl: string, env: Record<string, string> = {}): Promise<Instance> {
  setLogLevel('error');
  const dataSource = await openDataSource(databaseUrl);
  const app = await createApp(dataSource, loadConfig({ ...process.env, DATABASE_URL: databaseUrl, JWT_SECRET: TEST_SECRET, ...env }));
  const url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  return {
    url,
    dataSource,
    app,
    async gql(query, variables, token, extra = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      const response = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables, ...extra }) });
      return { ...((await response.json()) as GraphQLResponse), status: response.status } as never;
    },
  };
}

/** Several instances on one private copy of the demo database, as several server processes behind a load balancer. */
export async function startInstances(db: TestDatabase, count: number, env: Record<string, string> = {}): Promise<{ databaseUrl: string; instances: Instance[]; close(): Promise<void> }> {
  const copy = await copyDatabase(db);
  const instances: Instance[] = [];
  for (let i = 0; i < count; i++) instances.push(await startInstance(copy.url, env));
  return {
    databaseUrl: copy.url,
    instances,
    async close() {
      const namespace = instances.length ? redisNamespace(instances[0].dataSource) : null;
      for (const instance of instances) {
        await instance.app.close();
        await instance.dataSource.destroy();
      }
      await copy.drop();
      // Nothing of this database stays in a Redis the instances shared.
      if (env.REDIS_URL && namespace) await forgetRedisKeys(env.REDIS_URL, namespace);
    },
  };
}

async function forgetRedisKeys(url: string, namespace: string): Promise<void> {
  const client = new Redis(url);
  try {
    const keys = await client.keys(`${namespace}*`);
    if (keys.length) await client.del(...keys);
  } finally {
    client.disconnect();
  }
}
