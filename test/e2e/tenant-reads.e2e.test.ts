import { getNamedType, GraphQLField, GraphQLNamedType, GraphQLObjectType, isLeafType, isNonNullType, isObjectType } from 'graphql';
import { ROW_KINDS } from '../../server/auth/row-kinds';
import { StatementCounter } from '../../server/core/query-counter';
import { buildAppSchema } from '../../server/schema';
import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

/**
 * Fail-closed reads: every statement that reads a tenant table (the row-kind table's) for a viewer
 * below the nation carries the access rule's restriction. Every root query field is asked with
 * valid arguments and a nested selection, then the observation export and an SDMX data query; a
 * statement that reads plans, their parts, agencies, submissions, observations, revisions or the
 * audit log any other way fails the test, naming the statement.
 */
const TENANT_TABLES = [...new Set(Object.values(ROW_KINDS).flatMap((kind) => kind.tables))];
const READS_TENANT_TABLE = new RegExp(`\\b(?:FROM|JOIN)\\s+[\`"]?(${TENANT_TABLES.join('|')})[\`"]?(?=[\\s,)]|$)`, 'i');
/** What the access rule adds to a query (auth/access.ts `restrict`). */
const RESTRICTED = /unit_placement\W+scope_p\b/;

function selection(type: GraphQLNamedType, depth: number): string {
  if (isLeafType(type) || !isObjectType(type)) return '';
  const parts = ['__typename'];
  for (const field of Object.values((type as GraphQLObjectType).getFields()).filter((f) => f.args.every((a) => !isNonNullType(a.type)))) {
    const named = getNamedType(field.type);
    if (isLeafType(named)) parts.push(field.name);
    else if (depth > 0) {
      const inner = selection(named, depth - 1);
      if (inner && inner !== '__typename') parts.push(`${field.name} { ${inner} }`);
    }
  }
  return parts.join(' ');
}

describe.each(testDatabases())('every read of a tenant table goes through the access rule, on $name', (db) => {
  let server: TestServer;
  const statements: string[] = [];

  beforeAll(async () => {
    server = await startTestServer(db, { MAX_QUERY_COST: '1e12', MAX_RESOLVED_FIELDS: '1e8', MAX_RESPONSE_BYTES: '1e9', MAX_QUERY_DEPTH: '40', RESPONSE_CACHE_MB: '0' });
    StatementCounter.onStatement = (sql) => statements.push(sql);
  });
  afterAll(async () => {
    StatementCounter.onStatement = null;
    await server?.close();
  });

  it('as a commune ADMIN, a provincial ANALYST and a STATISTICS_OFFICE', async () => {
    expect(TENANT_TABLES).toEqual(expect.arrayContaining(['plan', 'objective', 'agency', 'submission', 'observation', 'observation_revision', 'audit_entry']));
    const schema = await buildAppSchema();
    const national = server.token('VN', 'ADMIN');
    const plan = (await server.gql(`{ plans(unit: "06601") { edges { node { id reportingObligations { id } } } } }`, {}, national)).data!.plans.edges[0].node;
    const values: Record<string, (viewer: string) => unknown> = {
      indicator: () => 'FEMALE_KEY_LEADER', area: (v) => v, unit: (v) => v, code: (v) => v, under: (v) => v, periods: () => ['2026'], period: () => '2026',
      plan: () => plan.id, obligation: () => plan.reportingObligations[0].id, id: () => plan.id, ids: () => [plan.id], search: () => 'loi bac', first: () => 20,
    };
    statements.length = 0; // the national viewer reads unrestricted: from here on only restricted viewers ask
    let asked = 0;
    for (const [viewer, role] of [['06601', 'ADMIN'], ['20', 'ANALYST'], ['20', 'STATISTICS_OFFICE']] as const) {
      const token = server.token(viewer, role);
      for (const field of Object.values(schema.getQueryType()!.getFields()) as GraphQLField<unknown, unknown>[]) {
        const args = field.args.filter((a) => isNonNullType(a.type) || a.name in values).filter((a) => a.name in values);
        if (field.args.some((a) => isNonNullType(a.type) && !(a.name in values))) continue;
        const inner = selection(getNamedType(field.type), 3);
        const document = `query${args.length ? `(${args.map((a) => `$${a.name}: ${a.type}`).join(', ')})` : ''} { ${field.name}${args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})` : ''}${inner ? ` { ${inner} }` : ''} }`;
        await server.gql(document, Object.fromEntries(args.map((a) => [a.name, values[a.name](viewer)])), token);
        asked += 1;
      }
      for (const path of ['/export/observations.csv?indicator=FEMALE_KEY_LEADER&periods=2026', '/sdmx/rest/data/GENDER_STATISTICS/A..FEMALE_KEY_LEADER.?startPeriod=2026&endPeriod=2026']) {
        const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
        await response.arrayBuffer();
        expect({ path, status: response.status }).toEqual({ path, status: 200 });
      }
    }
    expect(asked).toBeGreaterThan(20);
    const tenantReads = statements.filter((sql) => /^\s*SELECT/i.test(sql) && READS_TENANT_TABLE.test(sql));
    expect(tenantReads.length).toBeGreaterThan(20);
    expect(tenantReads.filter((sql) => !RESTRICTED.test(sql)).map((sql) => sql.slice(0, 300))).toEqual([]);
  });
});
