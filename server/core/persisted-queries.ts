import { AsyncLocalStorage } from 'node:async_hooks';

/** What Apollo asks of a persisted-query store (its KeyValueCache<string>). */
export interface QueryStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean | void>;
}

const owner = new AsyncLocalStorage<string>();

/**
 * Runs `work` (Apollo's handling of one request) on behalf of a token subject: the persisted
 * queries it registers and looks up are that subject's own. Subjects compare case-insensitively.
 */
export function asQueryOwner<T>(subject: string, work: () => T): T {
  return owner.run(subject.trim().toLowerCase(), work);
}

/**
 * Automatic persisted queries per token subject. A store shared by everyone answers a hash-only
 * request with data when anyone registered the text and PERSISTED_QUERY_NOT_FOUND otherwise, so it
 * tells one client what others send. Scoped by subject, a client only ever finds its own texts;
 * a client registers each text once per subject, which Apollo Client and urql do by themselves.
 */
export class SubjectScopedStore implements QueryStore {
  constructor(private readonly inner: QueryStore) {}

  async get(key: string): Promise<string | undefined> {
    return this.inner.get(this.scoped(key));
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    return this.inner.set(this.scoped(key), value, options);
  }

  async delete(key: string): Promise<boolean | void> {
    return this.inner.delete(this.scoped(key));
  }

  private scoped(key: string): string {
    const subject = owner.getStore();
    // Outside a request there is nobody to scope by: refuse rather than share.
    if (subject === undefined) throw new Error('persisted query used outside a request');
    // The length first, so no subject containing ':' can reach another's keys.
    return `${subject.length}:${subject}:${key}`;
  }
}

/** The in-memory store of one instance (without REDIS_URL): least recently used texts go first past `maxChars`. */
export class MemoryQueryStore implements QueryStore {
  private readonly entries = new Map<string, string>();
  private chars = 0;

  constructor(private readonly maxChars: number) {}

  async get(key: string): Promise<string | undefined> {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.delete(key);
    if (key.length + value.length > this.maxChars) return;
    this.entries.set(key, value);
    this.chars += key.length + value.length;
    for (const [oldest, text] of this.entries) {
      if (this.chars <= this.maxChars) break;
      this.entries.delete(oldest);
      this.chars -= oldest.length + text.length;
    }
  }

  async delete(key: string): Promise<boolean> {
    const value = this.entries.get(key);
    if (value === undefined) return false;
    this.entries.delete(key);
    this.chars -= key.length + value.length;
    return true;
  }
}
