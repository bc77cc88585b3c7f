import { isJsonContentType, ResponseCache } from '../../server/core/response-cache';

const V1 = { catalogue: '1', hierarchy: '1', data: '7' };
const V2 = { catalogue: '1', hierarchy: '1', data: '8' };
const viewer = { sub: 'analyst@20', unit: '20', role: 'ANALYST' };
const QUERY = { query: '{ me { role } }' };
const answer = (body: string, versions = V1) => ({ status: 200, headers: [['content-type', 'application/json; charset=utf-8']] as [string, string][], body, versions });

describe('the response cache', () => {
  it('serves an entry only under the versions it was computed under, and not past its maximum age', () => {
    const cache = new ResponseCache({ maxBytes: 1 << 20, maxAgeMs: 30_000 });
    const key = cache.keyOf(viewer, '2026-12-06', '*/*', JSON.stringify(QUERY));
    cache.store(key, QUERY, answer('{"data":{"me":{"role":"ANALYST"}}}\n'));
    expect(cache.get(key, V1)?.body).toBe('{"data":{"me":{"role":"ANALYST"}}}\n');
    expect(cache.get(key, V2)).toBeNull();
    expect(cache.has(key)).toBe(false); // a stale entry leaves at once
    cache.store(key, QUERY, answer('{"data":{}}\n'));
    expect(cache.get(key, V1, Date.now() + 30_001)).toBeNull();
  });

  it('keys on every access claim, the date, Accept and the body', () => {
    const cache = new ResponseCache({ maxBytes: 1 << 20, maxAgeMs: 30_000 });
    const base = cache.keyOf(viewer, '2026-12-06', '*/*', '{}');
    const others = [
      cache.keyOf({ ...viewer, sub: 'other@20' }, '2026-12-06', '*/*', '{}'),
      cache.keyOf({ ...viewer, unit: '01' }, '2026-12-06', '*/*', '{}'),
      cache.keyOf({ ...viewer, role: 'EDITOR' }, '2026-12-06', '*/*', '{}'),
      cache.keyOf(viewer, '2026-12-07', '*/*', '{}'),
      cache.keyOf(viewer, '2026-12-06', 'application/graphql-response+json', '{}'),
      cache.keyOf(viewer, '2026-12-06', '*/*', '{ }'),
    ];
    expect(new Set([base, ...others]).size).toBe(7);
  });

  it('keeps no answer with errors, no other status and no mutation', () => {
    const cache = new ResponseCache({ maxBytes: 1 << 20, maxAgeMs: 30_000 });
    cache.store('errors', QUERY, answer('{"errors":[{"message":"no"}],"data":null}\n'));
    cache.store('status', QUERY, { ...answer('{"data":{}}\n'), status: 400 });
    cache.store('mutation', { query: 'mutation { x }' }, answer('{"data":{}}\n'));
    cache.store('chosen', { query: 'query A { a } mutation B { b }', operationName: 'B' }, answer('{"data":{}}\n'));
    cache.store('unparsable', { query: '{ a' }, answer('{"data":{}}\n'));
    cache.store('hash only', {}, answer('{"data":{}}\n'));
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
    cache.store('query', { query: 'query A { a } mutation B { b }', operationName: 'A' }, answer('{"data":{}}\n'));
    expect(cache.size.entries).toBe(1);
  });

  it('stays within its bytes, the least recently used leaving first', () => {
    const maxBytes = 64 * 1024;
    const cache = new ResponseCache({ maxBytes, maxAgeMs: 30_000 });
    const body = `{"data":{"text":"${'x'.repeat(4000)}"}}\n`;
    cache.store('key 0', QUERY, answer(body));
    for (let i = 1; i < 100; i++) {
      cache.store(`key ${i}`, QUERY, answer(body));
      cache.get('key 0', V1); // used all along: stays
      expect(cache.size.bytes).toBeLessThanOrEqual(maxBytes);
    }
    expect(cache.has('key 0')).toBe(true);
    expect(cache.has('key 99')).toBe(true);
    expect(cache.has('key 1')).toBe(false);
    expect(cache.size.entries).toBeLessThan(10);
    // An answer larger than the whole bound is not kept (and evicts nothing).
    cache.store('huge', QUERY, answer(`{"data":{"text":"${'x'.repeat(maxBytes)}"}}\n`));
    expect(cache.has('huge')).toBe(false);
    expect(cache.has('key 99')).toBe(true);
  });

  it('takes JSON bodies only, by their media type', () => {
    expect(['application/json', 'Application/JSON; charset=utf-8', ' application/json ;x=1'].map(isJsonContentType)).toEqual([true, true, true]);
    expect(['text/plain; application/json', 'application/json-patch', '', undefined].map(isJsonContentType)).toEqual([false, false, false, false]);
  });
});
