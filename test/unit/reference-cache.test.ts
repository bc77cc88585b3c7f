import { ReferenceCache, Versions } from '../../server/core/reference-cache';

/** A version source whose reads the test finishes by hand, recording the version each read saw when it started. */
function manualSource() {
  const state = { catalogue: 1, reads: [] as { sawVersion: number; finish: () => void }[] };
  return {
    state,
    source: {
      read() {
        const sawVersion = state.catalogue;
        return new Promise<Versions>((resolve) => state.reads.push({ sawVersion, finish: () => resolve({ catalogue: String(sawVersion), hierarchy: '1', data: '1' }) }));
      },
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the reference cache', () => {
  it('keeps a value until its version moves, and never keeps a failed load', async () => {
    const { state, source } = manualSource();
    const cache = new ReferenceCache(source);
    let loads = 0;
    const get = () => cache.get('catalogue', 'all', async () => ++loads);
    const refresh = async () => {
      const done = cache.refresh();
      await tick();
      state.reads.at(-1)!.finish();
      await done;
    };
    await refresh();
    expect([await get(), await get()]).toEqual([1, 1]);
    await refresh();
    expect(await get()).toBe(1);
    state.catalogue = 2;
    await refresh();
    expect(await get()).toBe(2);
    await expect(cache.get('catalogue', 'broken', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('catalogue', 'broken', async () => 'up')).toBe('up');
  });

  it('lets a request share only a version read that started after it arrived', async () => {
    const { state, source } = manualSource();
    const cache = new ReferenceCache(source);
    const first = cache.refresh(); // read 1 starts, sees version 1
    state.catalogue = 2; // a change commits while read 1 runs
    const second = cache.refresh(); // must not settle for read 1
    const third = cache.refresh(); // arrives meanwhile: shares the queued read with the second
    await tick();
    expect(state.reads.map((r) => r.sawVersion)).toEqual([1]);
    state.reads[0].finish();
    await first;
    await tick();
    expect(state.reads.map((r) => r.sawVersion)).toEqual([1, 2]);
    state.reads[1].finish();
    // Each caller learns the versions of the read it waited for: what its answer is computed under.
    expect(await Promise.all([second, third])).toEqual([{ catalogue: '2', hierarchy: '1', data: '1' }, { catalogue: '2', hierarchy: '1', data: '1' }]);
    expect(state.reads).toHaveLength(2);
    expect(await cache.get('catalogue', 'v', async () => 'loaded after version 2')).toBe('loaded after version 2');
  });
});
