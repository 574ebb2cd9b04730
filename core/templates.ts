import Handlebars from 'handlebars';

/**
 * One isolated handlebars environment for messages, e-mails and webhooks. Templates are compiled
 * once and cached by source; `noEscape` is off so customer-supplied data is HTML-escaped by default.
 */
const hbs = Handlebars.create();
hbs.registerHelper('default', (value: unknown, fallback: unknown) => (value === undefined || value === null || value === '' ? fallback : value));
hbs.registerHelper('upper', (s: unknown) => (typeof s === 'string' ? s.toUpperCase() : s));

const cache = new Map<string, HandlebarsTemplateDelegate>();
const MAX_CACHED = 500;

export function render(template: string, data: Record<string, unknown>): string {
  let compiled = cache.get(template);
  if (!compiled) {
    compiled = hbs.compile(template, { strict: false });
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(template, compiled);
  }
  return compiled(data);
}
