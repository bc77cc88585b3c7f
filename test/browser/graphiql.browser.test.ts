import fs from 'node:fs';
import path from 'node:path';
import { chromium, Browser } from 'playwright-core';
import { signToken } from '../../server/auth/jwt';
import { Role } from '../../server/auth/role';
import { ARTIFACTS, testDatabases } from '../support/databases';
import { startTestServer, TEST_SECRET, TestServer } from '../support/server';

const CHROMIUM = '/usr/bin/chromium';
const available = fs.existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`CI needs Debian's chromium at ${CHROMIUM} for the browser tests (.ci/run installs it)`);
if (!available) console.warn(`Browser test skipped: no ${CHROMIUM} (apt-get install chromium); CI runs it.`);
const describeIfBrowser = available ? describe : describe.skip;

describeIfBrowser('GraphiQL in a browser with no network but localhost', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    const token = signToken({ sub: 'browser-test', unit: '20', role: Role.ANALYST }, TEST_SECRET, 3600);
    server = await startTestServer(testDatabases()[0], {}, { explorerToken: token });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('opens GraphiQL, runs a saved example query and shows its result', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const outside: string[] = [];
    await page.route('**/*', (route) => {
      const host = new URL(route.request().url()).hostname;
      if (host === '127.0.0.1' || host === 'localhost') return route.continue();
      outside.push(route.request().url());
      return route.abort();
    });
    await page.goto(`${server.url}/graphql`);
    await page.waitForSelector('.graphiql-execute-button', { timeout: 30000 });
    await page.click('.graphiql-execute-button');
    const result = page.locator('.result-window');
    await result.getByText('"totalCount": 65').waitFor({ timeout: 30000 });
    expect(await result.innerText()).toContain('Phường Đông Kinh');
    await result.locator('.CodeMirror-line span', { hasText: 'Tổ dân phố' }).first().evaluate((span: { setAttribute(name: string, value: string): void }) => span.setAttribute('data-vietnamese', ''));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: '[data-vietnamese]' });
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    // One font draws the Vietnamese line with one glyph per letter: no letter patched in from a
    // fallback font, none assembled from a base letter and loose marks.
    const text = await result.locator('[data-vietnamese]').innerText();
    expect(fonts.map((font) => font.familyName)).toHaveLength(1);
    expect(fonts[0].glyphCount).toBe([...text.normalize('NFC')].length);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'graphiql.png') });
    expect(outside).toEqual([]);
  });
});
