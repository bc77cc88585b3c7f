import fs from 'node:fs';
import path from 'node:path';
import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

/**
 * The README's five-minute tour promises real answers from the demo data. Every ```graphql block
 * of the tour, run with the token its first line names, must answer exactly the ```json block
 * after it, so the README cannot drift from what the server says.
 */
interface TourStep {
  query: string;
  unit: string;
  role: string;
  expected: unknown;
}

function tourSteps(): TourStep[] {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const tour = readme.slice(readme.indexOf('## A five-minute tour'), readme.indexOf('\n## ', readme.indexOf('## A five-minute tour') + 1));
  const steps: TourStep[] = [];
  for (const match of tour.matchAll(/```graphql\n([\s\S]*?)```\s*```json\n([\s\S]*?)```/g)) {
    const token = /^# token: --unit (\S+) --role (\S+)/.exec(match[1]);
    if (!token) throw new Error(`A tour query must start with "# token: --unit U --role R":\n${match[1]}`);
    steps.push({ query: match[1], unit: token[1], role: token[2], expected: JSON.parse(match[2]) });
  }
  return steps;
}

describe.each(testDatabases())('the README tour on $name', (db) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(db);
  });
  afterAll(() => server?.close());

  const steps = tourSteps();

  it('has its queries and answers', () => {
    expect(steps.length).toBeGreaterThanOrEqual(8);
  });

  it.each(steps.map((step) => [step.query.split('\n').slice(1).join(' ').replace(/\s+/g, ' ').slice(0, 100), step] as const))('answers as written: %s', async (_, step) => {
    const result = await server.gql(step.query, {}, server.token(step.unit, step.role as 'ADMIN'));
    expect(result.errors).toBeUndefined();
    if (process.env.PRINT_TOUR) console.log(JSON.stringify(result.data));
    expect(result.data).toEqual(step.expected);
  });
});
