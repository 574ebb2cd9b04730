/**
 * Chinese word segmentation for the FAQ bot.
 *
 * The default is jieba (`@node-rs/jieba`: a Rust port shipped as prebuilt binaries through npm's
 * optional dependencies, with its dictionary inside the package — nothing is downloaded at run time),
 * in search mode so that a long word also yields its parts (订单号 → 订单, 单号, 订单号). It is loaded
 * lazily on first use (≈ 0.2 s for the dictionary). When the native module cannot be loaded (an
 * unsupported platform, a broken install) the segmenter falls back to overlapping character bigrams,
 * which need no dictionary and still match well; the fallback is logged once.
 *
 * Pinyin (`pinyin-pro`, pure JS) gives the reading of a run of Han characters, so that homophone typos
 * (推货 for 退货, 发漂 for 发票) still share features with the right entry. Without it the matcher
 * simply works without reading features.
 */
import { createRequire } from 'node:module';

export type SegmenterName = 'jieba' | 'bigram';

interface JiebaLike {
  cut(sentence: string, hmm?: boolean | null): string[];
  cutForSearch(sentence: string, hmm?: boolean | null): string[];
}
type PinyinFn = (text: string, opts: { toneType: 'none'; type: 'array'; v?: boolean }) => string[];

const require = createRequire(import.meta.url);


let jieba: JiebaLike | null | undefined; // undefined: not tried yet; null: failed to load
let jiebaError: string | null = null;
let forced: SegmenterName | null = null;
let pinyinFn: PinyinFn | null | undefined;
let onFallback: ((reason: string) => void) | null = null;

function loadJieba(): JiebaLike | null {
  if (jieba !== undefined) return jieba;
  try {
    const mod = require('@node-rs/jieba') as { Jieba: { withDict(dict: Uint8Array): JiebaLike } };
    const { dict } = require('@node-rs/jieba/dict.js') as { dict: Uint8Array };
    jieba = mod.Jieba.withDict(dict);
  } catch (err) {
    jieba = null;
    jiebaError = err instanceof Error ? err.message : String(err);
    onFallback?.(`jieba could not be loaded, using character bigrams: ${jiebaError}`);
  }
  return jieba;
}

/** Called once if jieba fails to load (the plugin logs it). */
export function onSegmenterFallback(fn: (reason: string) => void): void {
  onFallback = fn;
}

/** Forces a segmenter (tests, benchmarks); `null` restores the default (jieba, bigrams if it fails). */
export function useSegmenter(name: SegmenterName | null): void {
  forced = name;
}

/** The segmenter in effect. */
export function segmenterName(): SegmenterName {
  if (forced) return forced;
  return loadJieba() ? 'jieba' : 'bigram';
}

/** Why jieba is not in use, if it failed to load. */
export function segmenterError(): string | null {
  return jiebaError;
}

/** Overlapping character bigrams of a Han run (a single character stays itself). */
export function bigrams(run: string): string[] {
  const chars = [...run];
  if (chars.length <= 1) return chars;
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

/**
 * Words of a run of Han characters (no spaces or Latin letters inside): `cover` splits the run
 * left to right (joined, it is the run), `search` adds the dictionary sub-words of long words
 * (订单号 → 订单, 单号, 订单号). Null when jieba is not in use (callers then use bigrams).
 */
export function segment(run: string): { cover: string[]; search: string[] } | null {
  if (forced === 'bigram') return null;
  const j = loadJieba();
  if (!j) return null;
  const cover = j.cut(run, true);
  const search = cover.some((w) => w.length > 2) ? j.cutForSearch(run, true) : cover;
  return { cover, search };
}

function loadPinyin(): PinyinFn | null {
  if (pinyinFn !== undefined) return pinyinFn;
  try {
    pinyinFn = (require('pinyin-pro') as { pinyin: PinyinFn }).pinyin;
  } catch {
    pinyinFn = null;
  }
  return pinyinFn;
}

const readingCache = new Map<string, string[]>();

/** Toneless pinyin syllables of a run of Han characters, one per character; null without pinyin-pro. */
export function reading(run: string): string[] | null {
  const fn = loadPinyin();
  if (!fn) return null;
  let r = readingCache.get(run);
  if (!r) {
    r = fn(run, { toneType: 'none', type: 'array', v: true });
    if (readingCache.size > 50_000) readingCache.clear();
    readingCache.set(run, r);
  }
  return r;
}
