import http, { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';

/**
 * The yardstick: an Apollo Server hello-world with the hub's versions of @apollo/server and
 * graphql, served the way server/app.ts serves the hub (node:http, the body read and parsed,
 * executeHTTPGraphQLRequest, the answer written whole), in a process of its own. `npm run bench`
 * forks it and loads it in the same rounds as the hub.
 */
async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startHelloWorld(): Promise<{ port: number; close(): Promise<void> }> {
  const apollo = new ApolloServer({ typeDefs: 'type Query { hello: String! }', resolvers: { Query: { hello: () => 'world' } }, csrfPrevention: true });
  await apollo.start();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    const raw = req.method === 'POST' ? await readBody(req) : '';
    const body: unknown = raw && (headers.get('content-type') ?? '').includes('application/json') ? JSON.parse(raw) : raw;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const response = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body }, context: async () => ({}) });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      res.statusCode = 500;
      res.end();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apollo.stop();
    },
  };
}

// Forked by the bench: says its port, stops when told (or when the bench goes away).
if (require.main === module && process.send) {
  startHelloWorld().then(
    (server) => {
      process.send?.({ port: server.port });
      process.once('message', () => void server.close().finally(() => process.exit(0)));
      process.once('disconnect', () => process.exit(0));
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
