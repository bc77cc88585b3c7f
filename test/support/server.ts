import { DataSource } from 'typeorm';
import { createApp, App, AppOptions } from '../../server/app';
import { signToken } from '../../server/auth/jwt';
import { Role } from '../../server/auth/role';
import { loadConfig } from '../../server/core/config';
import { setLogLevel } from '../../server/core/logger';
import { copyDatabase, openDataSource, TestDatabase } from './databases';

export const TEST_SECRET = 'test-secret-for-the-suite';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
  extensions?: Record<string, any>;
}

export interface TestServer {
  url: string;
  dataSource: DataSource;
  app: App;
  token(unit: string, role: Role | keyof typeof Role, sub?: string): string;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string | null, operationName?: string): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

/** A real HTTP server on a private copy of the demo database. */
export async function startTestServer(db: TestDatabase, env: Record<string, string> = {}, options: AppOptions = {}): Promise<TestServer> {
  setLogLevel('error');
  const copy = await copyDatabase(db);
  const dataSource = await openDataSource(copy.url);
  const config = loadConfig({ ...process.env, DATABASE_URL: copy.url, JWT_SECRET: TEST_SECRET, ...env });
  const app = await createApp(dataSource, config, options);
  const port = await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    dataSource,
    app,
    token: (unit, role, sub = `test-${String(role).toLowerCase()}@${unit}`) => signToken({ sub, unit, role: role as Role }, TEST_SECRET, 3600),
    async gql(query, variables, token, operationName) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      const response = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables, operationName }) });
      const body = (await response.json()) as GraphQLResponse;
      return { ...body, status: response.status } as never;
    },
    async close() {
      await app.close();
      await dataSource.destroy();
      await copy.drop();
    },
  };
}
