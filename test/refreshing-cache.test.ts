/**
 * RefreshingCache (core/routing/refreshing-cache.ts), pure: what routing's policy, plugin and time
 * zone lookups rely on under load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { RefreshingCache } from '../core/routing/refreshing-cache.ts';

function loader(values: string[], delayMs = 20) {
  const calls = { n: 0 };
  const load = async () => {
    const v = values[Math.min(calls.n, values.length - 1)]!;
    calls.n++;
    await sleep(delayMs);
    return v;
  };
  return { calls, load };
}

const errors: string[] = [];
const make = (freshMs: number, maxStaleMs: number) => new RefreshingCache<string>({ freshMs, maxStaleMs, onRefreshError: (k, e) => errors.push(`${k}: ${e.message}`) });

void test('concurrent callers of a missing key share one load', async () => {
  const c = make(1000, 5000);
  const { calls, load } = loader(['v1']);
  const got = await Promise.all(Array.from({ length: 50 }, () => c.get('k', load)));
  assert.equal(calls.n, 1);
  assert.ok(got.every((v) => v === 'v1'));
});

void test('past freshMs the cached value is served at once while one background load replaces it', async () => {
  const c = make(30, 5000);
  const { calls, load } = loader(['v1', 'v2'], 40);
  assert.equal(await c.get('k', load), 'v1');
  await sleep(40);
  const t = Date.now();
  const stale = await Promise.all(Array.from({ length: 20 }, () => c.get('k', load)));
  assert.ok(Date.now() - t < 35, 'no caller waited for the refresh');
  assert.ok(stale.every((v) => v === 'v1'));
  await sleep(60);
  assert.equal(calls.n, 2, 'one refresh for twenty stale reads');
  assert.equal(await c.get('k', load), 'v2');
});

void test('past maxStaleMs the value is not served: callers wait for the load', async () => {
  const c = make(10, 30);
  const { load } = loader(['v1', 'v2']);
  assert.equal(await c.get('k', load), 'v1');
  await sleep(45);
  assert.equal(await c.get('k', load), 'v2');
});

void test('invalidate drops the value and discards a load already in flight (it may have read the old row)', async () => {
  const c = make(1000, 5000);
  const slow = loader(['old'], 50);
  const first = c.get('k', slow.load);
  c.invalidate((k) => k === 'k');
  assert.equal(await first, 'old', 'the caller of the discarded load still gets its answer');
  const fresh = loader(['new']);
  assert.equal(await c.get('k', fresh.load), 'new', 'the discarded load was not cached');
  c.invalidate(() => true);
  assert.equal(await c.get('k', loader(['newer']).load), 'newer');
});

void test('a failed load is not cached; a failed background refresh keeps the stale value and is reported', async () => {
  const c = make(20, 5000);
  let fail = true;
  const load = async () => { if (fail) throw new Error('db down'); return 'ok'; };
  await assert.rejects(c.get('k', load), /db down/);
  fail = false;
  assert.equal(await c.get('k', load), 'ok');
  fail = true;
  await sleep(30);
  errors.length = 0;
  assert.equal(await c.get('k', load), 'ok');
  await sleep(5);
  assert.deepEqual(errors, ['k: db down']);
});

void test('maxStaleMs below freshMs is refused', () => {
  assert.throws(() => make(100, 50), /maxStaleMs/);
});
