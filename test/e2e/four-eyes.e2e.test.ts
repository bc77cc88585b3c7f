import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDatabases } from '../support/databases';
import { startTestServer, TestServer } from '../support/server';

/**
 * Four eyes that hold (issue 23): nobody who wrote any revision of a value since its last approval
 * approves it. The three bypasses found: a colleague re-recording the same numbers with a new
 * source, `npm run import` writing as `import:FILE`, and subjects compared case-sensitively.
 */
const ROOT = path.join(__dirname, '..', '..');
const RECORD = `mutation($input: [ObservationInput!]!) { recordObservations(input: $input) { applied changed errors { field message } } }`;
const IDS = `query($indicator: String, $periods: [String!]) { observations(indicator: $indicator, unit: "06601", periods: $periods) { edges { node { id status source history { changedBy newStatus } } } } }`;
const SUBMIT = `mutation($ids: [ID!]!) { submitObservations(ids: $ids) { id status } }`;
const APPROVE = `mutation($ids: [ID!]!) { approveObservations(ids: $ids) { id status } }`;

describe.each(testDatabases())('four eyes on $name', (db) => {
  let server: TestServer;
  let databaseUrl: string;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer(db);
    const options = server.dataSource.options as { database?: string; url?: string };
    databaseUrl = db.name === 'sqlite' ? `sqlite:${options.database}` : (options.url as string);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bdg-four-eyes-'));
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const record = async (period: string, numerator: number, token: string, source?: string) => {
    const answer = await server.gql(RECORD, { input: [{ indicator: 'GE_CONFERENCE', unit: '06601', period, sex: 'TOTAL', numerator, source }] }, token);
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.recordObservations.applied).toBe(true);
  };
  const observation = async (period: string) => (await server.gql(IDS, { indicator: 'GE_CONFERENCE', periods: [period] }, server.token('20', 'ADMIN', 'reader@20'))).data!.observations.edges[0]?.node;
  const refusedAsFourEyes = (answer: { errors?: { message: string; extensions?: Record<string, any> }[] }) => {
    expect(answer.errors?.[0]).toMatchObject({ message: expect.stringContaining('Four eyes'), extensions: { code: 'FORBIDDEN', field: 'ids' } });
  };

  it('a colleague re-recording the same numbers with a new source does not free the first writer to approve', async () => {
    const writer = server.token('20', 'ADMIN', 'first-writer@20');
    const colleague = server.token('06601', 'EDITOR', 'colleague@06601');
    await record('2041', 5, writer, 'census sheet');
    await record('2041', 5, colleague, 'census sheet, checked');
    const { id, source, history } = await observation('2041');
    expect(source).toBe('census sheet, checked');
    expect(history.map((h: any) => h.changedBy)).toEqual(['first-writer@20', 'colleague@06601']);
    expect((await server.gql(SUBMIT, { ids: [id] }, colleague)).errors).toBeUndefined();
    refusedAsFourEyes(await server.gql(APPROVE, { ids: [id] }, writer));
    expect((await observation('2041')).status).toBe('SUBMITTED');
    // Someone who wrote nothing of it approves; after that approval, the writers of the next change are the ones barred.
    expect((await server.gql(APPROVE, { ids: [id] }, server.token('20', 'ADMIN', 'checker@20'))).data!.approveObservations[0].status).toBe('APPROVED');
    const next = server.token('20', 'ADMIN', 'next-writer@20');
    await record('2041', 6, next);
    refusedAsFourEyes(await server.gql(APPROVE, { ids: [id] }, next));
    expect((await server.gql(APPROVE, { ids: [id] }, writer)).data!.approveObservations[0].status).toBe('APPROVED');
  });

  it('subjects compare case-insensitively: W@06625 may not approve what w@06625 wrote', async () => {
    await record('2042', 3, server.token('20', 'ADMIN', 'w@20'));
    const { id } = await observation('2042');
    refusedAsFourEyes(await server.gql(APPROVE, { ids: [id] }, server.token('20', 'ADMIN', 'W@20')));
    refusedAsFourEyes(await server.gql(APPROVE, { ids: [id] }, server.token('20', 'ADMIN', ' W@20 ')));
    expect((await observation('2042')).status).toBe('DRAFT');
    expect((await server.gql(APPROVE, { ids: [id] }, server.token('20', 'ADMIN', 'v@20'))).data!.approveObservations[0].status).toBe('APPROVED');
  });

  describe('npm run import, as a user types it', () => {
    const importCsv = (name: string, rows: string[], ...args: string[]) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, `indicator,unit,period,sex,numerator,denominator,source\n${rows.join('\n')}\n`);
      const commandLine = ['npm', 'run', 'import', '--', ...args, file].map((a) => `'${a}'`).join(' ');
      const ran = spawnSync(commandLine, { cwd: ROOT, shell: true, encoding: 'utf8', env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' } });
      return { status: ran.status, stderr: ran.stderr };
    };
    const revisions = async () => Number((await server.dataSource.query('SELECT COUNT(*) AS n FROM observation_revision'))[0].n);

    it('without --subject a file that changes anything is refused, saying why, and nothing is written', async () => {
      const before = await revisions();
      const ran = importCsv('no-subject.csv', ['GE_CONFERENCE,06601,2043,TOTAL,4,1,list']);
      expect(ran.status).not.toBe(0);
      expect(ran.stderr).toMatch(/refused: 1 of 1 rows would change observations.*--subject SUBJECT/);
      expect(ran.stderr).toMatch(/Nothing was loaded/);
      expect(await revisions()).toBe(before);
      expect(await observation('2043')).toBeUndefined();
    }, 300_000);

    it('with --subject the rows are that subject’s: it may not approve them (in any case), another may', async () => {
      const ran = importCsv('with-subject.csv', ['GE_CONFERENCE,06601,2044,TOTAL,8,1,list'], '--subject', 'importer@20');
      expect(ran.stderr).toMatch(/1 rows valid, 1 changed, loaded/);
      expect(ran.status).toBe(0);
      const { id, history } = await observation('2044');
      expect(history).toEqual([{ changedBy: 'importer@20', newStatus: 'DRAFT' }]);
      refusedAsFourEyes(await server.gql(APPROVE, { ids: [id] }, server.token('20', 'ADMIN', 'Importer@20')));
      expect((await server.gql(APPROVE, { ids: [id] }, server.token('20', 'ADMIN', 'checker@20'))).data!.approveObservations[0].status).toBe('APPROVED');
    }, 300_000);

    it('without --subject a file whose rows are all stored and approved already passes, writing nothing', async () => {
      const before = await revisions();
      const ran = importCsv('approved.csv', ['GE_CONFERENCE,06601,2044,TOTAL,8,1,list']);
      expect(ran.stderr).toMatch(/1 rows valid, 0 changed, nothing to load/);
      expect(ran.status).toBe(0);
      expect(await revisions()).toBe(before);
      expect((await observation('2044')).status).toBe('APPROVED');
    }, 300_000);
  });
});
