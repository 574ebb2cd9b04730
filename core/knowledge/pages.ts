/**
 * URL patterns: which pages of the customer's site a knowledge entry or a guide bubble belongs to.
 *
 * A pattern is matched, case-insensitively and as a whole, against
 *   - the full URL (without #fragment) when it contains "://"   `https://shop.example.com/help*`
 *   - the path and query when it starts with "/"                 `/help*`, `/products/*?cat=phones`
 *   - the host, path and query otherwise                          `shop.example.com/returns*`, `*page=help*`
 * `*` stands for any run of characters (also none); every other character is literal.
 */
import { z } from 'zod';

export const PAGE_PATTERN_MAX = 300;
export const PAGE_PATTERNS_MAX = 20;

export const PagePattern = z.string().trim()
  .min(1, 'a page pattern is empty').max(PAGE_PATTERN_MAX, `a page pattern is longer than ${PAGE_PATTERN_MAX} characters`)
  .refine((p) => !/\s/.test(p), 'a page pattern cannot contain spaces')
  .refine((p) => /[^*]/.test(p), 'a page pattern must contain more than "*"');

export const PagePatterns = z.array(PagePattern).max(PAGE_PATTERNS_MAX, `at most ${PAGE_PATTERNS_MAX} page patterns`);

const compiled = new Map<string, RegExp>();

function regexOf(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    const body = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    re = new RegExp(`^${body}$`, 'i');
    if (compiled.size > 5000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

/** The part of `url` a pattern is compared with (see the module comment). */
function target(pattern: string, url: URL): string {
  if (pattern.includes('://')) return `${url.protocol}//${url.host}${url.pathname}${url.search}`;
  if (pattern.startsWith('/')) return `${url.pathname}${url.search}`;
  return `${url.host}${url.pathname}${url.search}`;
}

/** Parses a page URL (http/https only); null when it is not one. */
export function parsePageUrl(raw: string | null | undefined): URL | null {
  if (!raw) return null;
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : null;
  } catch {
    return null;
  }
}

/** Whether a page URL matches a pattern. */
export function pageMatches(pattern: string, url: URL): boolean {
  let path = target(pattern, url);
  try { path = decodeURI(path); } catch { /* keep it encoded */ }
  return regexOf(pattern).test(path) || regexOf(pattern).test(target(pattern, url));
}

/** The first pattern of a list that matches the page, or null. */
export function firstMatch(patterns: readonly string[] | null | undefined, url: URL | null): string | null {
  if (!url || !patterns) return null;
  for (const p of patterns) if (pageMatches(p, url)) return p;
  return null;
}
