/**
 * The configuration of self-service (see self-service.ts): zod schemas only, so the flow node registry
 * (core/flows/registry.ts) can build on them without loading the database layer.
 */
import { z } from 'zod';
import { PagePattern } from './pages.ts';

const httpUrl = z.string().trim().max(2000).regex(/^https?:\/\/\S+$/i, 'must be an http(s) URL');

export const SelfServiceCard = z.object({
  title: z.string().trim().min(1, 'title is empty').max(60),
  description: z.string().trim().max(300).optional(),
  imageUrl: httpUrl.optional(),
  url: httpUrl.optional(),
  buttonLabel: z.string().trim().min(1, 'buttonLabel is empty').max(20).optional(),
}).strict().refine((c) => !c.buttonLabel || !!c.url, { message: 'a card with a buttonLabel needs a url', path: ['url'] });
export type SelfServiceCard = z.output<typeof SelfServiceCard>;

export const GuideBubble = z.object({
  text: z.string().trim().min(1, 'text is empty').max(120),
  /** Page patterns (pages.ts) the bubble is shown on; empty: every page. */
  pages: z.array(PagePattern).max(20).default([]),
  /** Seconds on the page before it shows. */
  delaySec: z.number().int().min(0).max(600).default(5),
  /** Clicking the bubble opens the chat and asks this (else it only opens the chat). */
  question: z.string().trim().min(1).max(200).optional(),
}).strict();

const Guess = z.object({
  enabled: z.boolean().default(true),
  /** Guesses shown at most (pinned questions included). */
  limit: z.number().int().min(1).max(10).default(5),
  /** The window of the hot-question count, in days (today included). */
  hotDays: z.number().int().min(1).max(90).default(7),
  /** Match the page's title and URL words against the entries. */
  pageWords: z.boolean().default(true),
}).strict();

const Categories = z.object({
  enabled: z.boolean().default(true),
  /** Categories to list, in this order; empty: every root category that has public entries. */
  ids: z.array(z.string().trim().min(1).max(36)).max(20).default([]),
  /** Questions per category at most. */
  perCategory: z.number().int().min(1).max(20).default(8),
}).strict();

/** What a channel and a flow node share: pinned questions, guesses, category lists, cards. */
export const SelfServiceContent = z.object({
  /** Questions always shown first under 猜你想问. */
  questions: z.array(z.string().trim().min(1).max(200)).max(20).default([]),
  guess: Guess.prefault({}),
  categories: Categories.prefault({}),
  cards: z.array(SelfServiceCard).max(10).default([]),
});

/** `Channel.config.selfService`. */
export const SelfServiceSettings = SelfServiceContent.extend({
  enabled: z.boolean().default(true),
  title: z.string().trim().min(1).max(60).default('猜你想问'),
  bubbles: z.array(GuideBubble).max(10).default([]),
}).strict();
export type SelfServiceSettings = z.output<typeof SelfServiceSettings>;

