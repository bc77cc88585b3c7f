import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { EXAMPLE_QUERIES } from './example-queries';

/** Browser assets shipped inside the npm packages: the page works with no internet at all. */
const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
  // A monospace font with Vietnamese letters for the editors; the CSS loads its files from files/.
  'roboto-mono.css': { pkg: '@fontsource/roboto-mono', file: '400.css', type: 'text/css' },
  ...Object.fromEntries(
    ['latin', 'latin-ext', 'vietnamese', 'cyrillic', 'cyrillic-ext', 'greek'].flatMap((subset) => [
      [`files/roboto-mono-${subset}-400-normal.woff2`, { pkg: '@fontsource/roboto-mono', file: `files/roboto-mono-${subset}-400-normal.woff2`, type: 'font/woff2' }],
      [`files/roboto-mono-${subset}-400-normal.woff`, { pkg: '@fontsource/roboto-mono', file: `files/roboto-mono-${subset}-400-normal.woff`, type: 'font/woff' }],
    ]),
  ),
};

/** The package's folder, found from its entry point: packages' `exports` hide their UMD files from require. */
function packageDir(pkg: string): string {
  const name = pkg.split('/').pop();
  let dir = path.dirname(require.resolve(pkg));
  while (path.basename(dir) !== name && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export const ASSET_PREFIX = '/graphiql/';

export function serveGraphiqlAsset(name: string, res: ServerResponse): boolean {
  const asset = ASSETS[name];
  if (!asset) return false;
  const file = path.join(packageDir(asset.pkg), asset.file);
  const type = asset.type.startsWith('text/') ? `${asset.type}; charset=utf-8` : asset.type;
  res.writeHead(200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  fs.createReadStream(file).pipe(res);
  return true;
}

function escapeForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** The GraphiQL page; `token` pre-fills the Authorization header (embedded demo only). */
export function renderGraphiqlPage(token: string | null): string {
  const headers = token ? JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2) : JSON.stringify({ Authorization: 'Bearer <token: npm run --silent token -- --unit CODE --role ANALYST>' }, null, 2);
  const tabs = EXAMPLE_QUERIES.map((example) => ({ query: example.query, headers }));
  return `<!doctype html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>bdg-hub — GraphiQL</title>
  <link rel="stylesheet" href="${ASSET_PREFIX}graphiql.css">
  <link rel="stylesheet" href="${ASSET_PREFIX}roboto-mono.css">
  <style>
    html, body, #graphiql { height: 100%; margin: 0; }
    /* GraphiQL's bundled Fira Code lacks Vietnamese letters such as ổ and ố: the browser patches them
       in from another font and the marks drift. Roboto Mono (shipped with us) has them all. */
    * { --font-family-mono: "Roboto Mono", monospace !important; }
  </style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="${ASSET_PREFIX}react.js"></script>
  <script src="${ASSET_PREFIX}react-dom.js"></script>
  <script src="${ASSET_PREFIX}graphiql.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: ${escapeForScript(path.posix.join('/', 'graphql'))} });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, {
        fetcher,
        defaultTabs: ${escapeForScript(tabs)},
        defaultHeaders: ${escapeForScript(headers)},
        headerEditorEnabled: true,
        shouldPersistHeaders: true,
        defaultEditorToolsVisibility: 'headers',
      }),
    );
  </script>
</body>
</html>`;
}
