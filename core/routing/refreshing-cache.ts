/**
 * A small read-through cache for what routing reads on every decision (group policies, enabled
 * plugins, time zones). Two properties matter on the hot path:
 *  - single flight: however many decisions ask for a missing or expired value at once, one load runs
 *    (a naive TTL cache sends every concurrent caller to the database when an entry expires, and all
 *    entries loaded together expire together: a stall every TTL);
 *  - refresh ahead: a value past `freshMs` but younger than `maxStaleMs` is served at once while one
 *    background load replaces it. Older values are never served: a caller waits for the load, so a
 *    quiet node does not act on an hour-old policy.
 * `invalidate` drops entries and discards loads already in flight for them (they may have read the
 * old row), so a change made on this node applies to the next decision.
 */
export class RefreshingCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();
  private readonly loading = new Map<string, Promise<V>>();
  private readonly freshMs: number;
  private readonly maxStaleMs: number;
  private readonly maxEntries: number;
  private readonly onRefreshError: (key: string, err: Error) => void;

  constructor(opts: { freshMs: number; maxStaleMs: number; maxEntries?: number; onRefreshError: (key: string, err: Error) => void }) {
    if (!(opts.maxStaleMs >= opts.freshMs)) throw new Error('RefreshingCache: maxStaleMs must be ≥ freshMs');
    this.freshMs = opts.freshMs;
    this.maxStaleMs = opts.maxStaleMs;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.onRefreshError = opts.onRefreshError;
  }

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    const age = hit ? Date.now() - hit.at : Infinity;
    if (hit && age < this.freshMs) return hit.value;
    if (hit && age < this.maxStaleMs) {
      if (!this.loading.has(key)) this.load(key, load).catch((err: unknown) => this.onRefreshError(key, err as Error));
      return hit.value;
    }
    return this.loading.get(key) ?? this.load(key, load);
  }

  /** Drops the entries whose key matches (and their loads in flight). */
  invalidate(matches: (key: string) => boolean): void {
    for (const key of [...this.entries.keys()]) if (matches(key)) this.entries.delete(key);
    for (const key of [...this.loading.keys()]) if (matches(key)) this.loading.delete(key);
  }

  private load(key: string, load: () => Promise<V>): Promise<V> {
    const p: Promise<V> = load().then(
      (value) => {
        // Stored only if not invalidated (or superseded) meanwhile; the caller gets it either way.
        if (this.loading.get(key) === p) {
          if (this.entries.size >= this.maxEntries && !this.entries.has(key)) this.entries.clear();
          this.entries.set(key, { value, at: Date.now() });
          this.loading.delete(key);
        }
        return value;
      },
      (err: unknown) => {
        if (this.loading.get(key) === p) this.loading.delete(key);
        throw err;
      },
    );
    this.loading.set(key, p);
    return p;
  }
}
