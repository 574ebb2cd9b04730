import type { z } from 'zod';
import { badInput } from './errors.ts';

/** Validates mutation input with zod; failures become BAD_USER_INPUT with a per-field list. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    throw badInput('invalid input', { issues: r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
  }
  return r.data;
}
