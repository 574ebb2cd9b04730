import { defineEntity, p } from '@mikro-orm/core';
import { tenantColumns, updatedAt } from './columns.ts';

/** A knowledge-base category (分类); categories nest through `parentId`, siblings are ordered by `sort`. */
export const KnowledgeCategorySchema = defineEntity({
  name: 'KnowledgeCategory',
  tableName: 'knowledge_category',
  indexes: [{ properties: ['workspaceId', 'parentId'] }],
  properties: {
    ...tenantColumns(),
    name: p.string().length(120),
    parentId: p.string().length(36).nullable(),
    sort: p.integer().default(0),
    updatedAt: updatedAt(),
  },
});
export class KnowledgeCategory extends KnowledgeCategorySchema.class {}
KnowledgeCategorySchema.setClass(KnowledgeCategory);

export const KNOWLEDGE_VISIBILITIES = ['public', 'internal'] as const;
export type KnowledgeVisibility = (typeof KNOWLEDGE_VISIBILITIES)[number];
export const KNOWLEDGE_ANSWER_TYPES = ['text', 'rich_text', 'image', 'link', 'card'] as const;
export type KnowledgeAnswerType = (typeof KNOWLEDGE_ANSWER_TYPES)[number];

/**
 * Knowledge base entry: a standard question, its variants and the answer (public: bot; internal:
 * agents). `answer` is the plain text the bot sends; `answerType`/`answerBody` carry the rich form
 * (null body for plain text). Plugins read `question`, `variants`, `answer`, `visibility` and
 * `workspace_id` by name with raw SQL: keep those columns and their meaning stable.
 * Every change bumps `version` and writes an immutable KnowledgeEntryRevision.
 */
export const KnowledgeEntrySchema = defineEntity({
  name: 'KnowledgeEntry',
  tableName: 'knowledge_entry',
  indexes: [{ properties: ['workspaceId', 'categoryId'] }, { properties: ['workspaceId', 'question'] }],
  properties: {
    ...tenantColumns(),
    question: p.string().length(500),
    variants: p.json<string[]>(),
    answer: p.text(),
    visibility: p.enum(KNOWLEDGE_VISIBILITIES).default('public'),
    /** Denormalised path of the category (`售后 > 退换货`), kept in step with `categoryId`. */
    category: p.string().length(120).nullable(),
    categoryId: p.string().length(36).nullable(),
    answerType: p.enum(KNOWLEDGE_ANSWER_TYPES).default('text'),
    answerBody: p.json<Record<string, unknown>>().nullable(),
    version: p.integer().default(1),
    updatedById: p.string().length(36).nullable(),
    enabled: p.boolean().default(true),
    /** URL patterns of the pages the entry belongs to (self-service 猜你想问; core/knowledge/self-service.ts). */
    pagePatterns: p.json<string[]>().nullable(),
    updatedAt: updatedAt(),
  },
});
export class KnowledgeEntry extends KnowledgeEntrySchema.class {}
KnowledgeEntrySchema.setClass(KnowledgeEntry);

/** What a revision records: the entry's editable state at that version. */
export interface KnowledgeSnapshot {
  question: string;
  variants: string[];
  answer: string;
  answerType: KnowledgeAnswerType;
  answerBody: Record<string, unknown> | null;
  visibility: KnowledgeVisibility;
  categoryId: string | null;
  category: string | null;
  enabled: boolean;
  /** Absent in revisions written before entries had page patterns. */
  pagePatterns?: string[];
}

/** One immutable version of an entry (written on create, every update, restore and import). */
export const KnowledgeEntryRevisionSchema = defineEntity({
  name: 'KnowledgeEntryRevision',
  tableName: 'knowledge_entry_revision',
  uniques: [{ properties: ['entryId', 'version'] }],
  properties: {
    ...tenantColumns(),
    entryId: p.string().length(36),
    version: p.integer(),
    /** create | update | restore | import */
    action: p.string().length(16),
    snapshot: p.json<KnowledgeSnapshot>(),
    authorId: p.string().length(36).nullable(),
  },
});
export class KnowledgeEntryRevision extends KnowledgeEntryRevisionSchema.class {}
KnowledgeEntryRevisionSchema.setClass(KnowledgeEntryRevision);

export const KNOWLEDGE_IMPORT_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export interface KnowledgeImportError { row: number; field: string | null; message: string }

/** One import run (a BullMQ job on `knowledge-import`); counters and errors are committed with each batch. */
export const KnowledgeImportSchema = defineEntity({
  name: 'KnowledgeImport',
  tableName: 'knowledge_import',
  indexes: [{ properties: ['workspaceId', 'createdAt'] }],
  properties: {
    ...tenantColumns(),
    format: p.string().length(8),
    mode: p.string().length(8),
    status: p.enum(KNOWLEDGE_IMPORT_STATUSES).default('queued'),
    total: p.integer().default(0),
    processed: p.integer().default(0),
    created: p.integer().default(0),
    updated: p.integer().default(0),
    skipped: p.integer().default(0),
    errorCount: p.integer().default(0),
    /** The first errors (up to KNOWLEDGE_IMPORT_MAX_ERRORS), in row order. */
    errors: p.json<KnowledgeImportError[]>(),
    /** Why the whole import failed (unreadable file, …), when it did. */
    message: p.string().length(1000).nullable(),
    createdById: p.string().length(36).nullable(),
    startedAt: p.datetime(3).nullable(),
    finishedAt: p.datetime(3).nullable(),
    updatedAt: updatedAt(),
  },
});
export class KnowledgeImport extends KnowledgeImportSchema.class {}
KnowledgeImportSchema.setClass(KnowledgeImport);

/**
 * How often the bot answered with an entry, per UTC day: a cheap counter (one upsert per matched
 * answer) behind the self-service "hot questions" (猜你想问), read over a window of recent days.
 */
export const KnowledgeHitSchema = defineEntity({
  name: 'KnowledgeHit',
  tableName: 'knowledge_hit',
  uniques: [{ properties: ['workspaceId', 'day', 'entryId'] }],
  properties: {
    ...tenantColumns(),
    entryId: p.string().length(36),
    /** UTC date, YYYY-MM-DD. */
    day: p.string().length(10),
    hits: p.integer().default(0),
    updatedAt: updatedAt(),
  },
});
export class KnowledgeHit extends KnowledgeHitSchema.class {}
KnowledgeHitSchema.setClass(KnowledgeHit);
