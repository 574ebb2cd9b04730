import { z } from 'zod';
import { LockMode } from '@mikro-orm/core';
import {
  KNOWLEDGE_ANSWER_TYPES, KNOWLEDGE_IMPORT_STATUSES, KNOWLEDGE_VISIBILITIES, KnowledgeCategory, KnowledgeEntry, KnowledgeEntryRevision,
  KnowledgeImport, Message, type KnowledgeImportError, type KnowledgeSnapshot,
} from '../../db/entities/index.ts';
import { recordAudit, recordEvent } from '../../events/outbox.ts';
import {
  CategoryName, EntryContentSchema, categoryTree, changeEntry, contentOf, createEntry, snapshotOf, type EntryContent,
} from '../../knowledge/entries.ts';
import { KNOWLEDGE_IMPORT_MAX_CHARS } from '../../knowledge/import.ts';
import { knowledgeIndex, rank } from '../../knowledge/search.ts';
import { ImportFileError, KNOWLEDGE_FORMATS, decodeFile, exportKnowledge } from '../../knowledge/transfer.ts';
import { can, type HubBuilder } from '../builder.ts';
import { actorOf, workspaceOf, type HubGraphQLContext } from '../context.ts';
import { HubError, badInput, conflict, notFound } from '../errors.ts';
import { parseInput } from '../validation.ts';
import { conversationFor } from './conversation.ts';
import type { Refs } from '../refs.ts';

interface AssistSuggestion { entry: KnowledgeEntry; score: number }
interface EntryPage { total: number; items: KnowledgeEntry[] }

const Id = z.string().trim().min(1).max(36);
const Paging = z.object({ limit: z.number().int().min(1).max(500).nullish(), offset: z.number().int().min(0).max(1_000_000).nullish() });
const Search = z.string().trim().max(200).nullish();
const ExpectedVersion = z.number().int().min(1, 'expectedVersion must be ≥ 1');

const authorOf = (ctx: HubGraphQLContext) => (ctx.principal.kind === 'user' ? ctx.principal.userId : null);

/** Operators (and admins, API keys) see disabled entries; agents see what is live. */
function seesDisabled(ctx: HubGraphQLContext): boolean {
  const p = ctx.principal;
  return p.kind === 'apiKey' || (p.kind === 'user' && p.roles.some((r) => r === 'admin' || r === 'operator'));
}

const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Names of the snapshot fields that differ (for the audit log). */
function changedFields(a: KnowledgeSnapshot, b: KnowledgeSnapshot): string[] {
  return (Object.keys(b) as (keyof KnowledgeSnapshot)[]).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

async function requireCategory(ctx: HubGraphQLContext, id: string | null | undefined): Promise<KnowledgeCategory | null> {
  if (!id) return null;
  const c = await ctx.em.findOne(KnowledgeCategory, { id: Id.parse(id) });
  if (!c) throw notFound('KnowledgeCategory', id);
  return c;
}

/** CONFLICT when another entry has the same standard question (compared by the database collation). */
async function assertQuestionFree(ctx: HubGraphQLContext, question: string, exceptId?: string): Promise<void> {
  const other = await ctx.em.findOne(KnowledgeEntry, { question, ...(exceptId ? { id: { $ne: exceptId } } : {}) });
  if (other) throw conflict(`another entry already has the question "${question}"`, { entryId: other.id });
}

/** Knowledge base (F23) for operators, agent assist (F16). */
export function registerKnowledge(builder: HubBuilder, _refs: Refs) {
  const VisibilityEnum = builder.enumType('KnowledgeVisibility', { values: KNOWLEDGE_VISIBILITIES });
  const AnswerTypeEnum = builder.enumType('KnowledgeAnswerType', { values: KNOWLEDGE_ANSWER_TYPES });
  const FormatEnum = builder.enumType('KnowledgeFormat', { values: KNOWLEDGE_FORMATS });
  const ModeEnum = builder.enumType('KnowledgeImportMode', {
    values: { upsert: { description: 'Update entries whose question exists (a new version when the content differs)' }, skip: { description: 'Leave existing entries alone' } },
  });
  const StatusEnum = builder.enumType('KnowledgeImportStatus', { values: KNOWLEDGE_IMPORT_STATUSES });
  const EncodingEnum = builder.enumType('KnowledgeFileEncoding', { values: { UTF_8: { value: 'utf-8' }, GB18030: { value: 'gb18030' } } });

  const CategoryRef = builder.objectRef<KnowledgeCategory>('KnowledgeCategory');
  const EntryRef = builder.objectRef<KnowledgeEntry>('KnowledgeEntry');
  const RevisionRef = builder.objectRef<KnowledgeEntryRevision>('KnowledgeRevision');
  const PageRef = builder.objectRef<EntryPage>('KnowledgeEntryPage');
  const ImportRef = builder.objectRef<KnowledgeImport>('KnowledgeImport');
  const ImportErrorRef = builder.objectRef<KnowledgeImportError>('KnowledgeImportError');
  const SuggestionRef = builder.objectRef<AssistSuggestion>('AssistSuggestion');

  // Entry counts of all categories, computed once per request.
  const countsByRequest = new WeakMap<object, Promise<Map<string, number>>>();
  const categoryCounts = (ctx: HubGraphQLContext) => {
    let p = countsByRequest.get(ctx);
    if (!p) {
      p = ctx.em.getConnection().execute<{ category_id: string; n: number }[]>(
        'select category_id, count(*) n from knowledge_entry where workspace_id = ? and category_id is not null group by category_id', [workspaceOf(ctx)],
      ).then((rows) => new Map(rows.map((r) => [r.category_id, Number(r.n)])));
      countsByRequest.set(ctx, p);
    }
    return p;
  };

  // The category tree, loaded once per request for `path` fields.
  const treesByRequest = new WeakMap<object, ReturnType<typeof categoryTree>>();
  const treeOf = (ctx: HubGraphQLContext) => {
    let p = treesByRequest.get(ctx);
    if (!p) {
      p = categoryTree(ctx.em);
      treesByRequest.set(ctx, p);
    }
    return p;
  };

  CategoryRef.implement({
    description: 'A knowledge-base category (分类). Categories nest through parentId; siblings are ordered by sort.',
    authScopes: can.knowledgeRead,
    fields: (t) => ({
      id: t.exposeID('id'),
      name: t.exposeString('name'),
      parentId: t.exposeID('parentId', { nullable: true }),
      sort: t.exposeInt('sort'),
      path: t.string({ description: 'Names from the root, joined with " > ".', resolve: async (c, _a, ctx) => (await treeOf(ctx)).path(c.id) ?? c.name }),
      entryCount: t.int({ description: 'Entries directly in this category.', resolve: async (c, _a, ctx) => (await categoryCounts(ctx)).get(c.id) ?? 0 }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    }),
  });

  RevisionRef.implement({
    description: 'One immutable version of a knowledge entry.',
    authScopes: can.knowledgeRead,
    fields: (t) => ({
      id: t.exposeID('id'),
      entryId: t.exposeID('entryId'),
      version: t.exposeInt('version'),
      action: t.exposeString('action', { description: 'create | update | restore | import' }),
      snapshot: t.field({ type: 'JSON', description: 'question, variants, answer, answerType, answerBody, visibility, categoryId, category, enabled', resolve: (r) => r.snapshot }),
      authorId: t.exposeID('authorId', { nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });

  EntryRef.implement({
    description: 'A knowledge entry: a standard question, its variants and the answer. `answer` is the plain text the bot sends; `answerType`/`answerBody` hold the rich form.',
    authScopes: can.knowledgeRead,
    fields: (t) => ({
      id: t.exposeID('id'),
      question: t.exposeString('question'),
      variants: t.stringList({ resolve: (e) => e.variants ?? [] }),
      answer: t.exposeString('answer'),
      answerType: t.field({ type: AnswerTypeEnum, resolve: (e) => e.answerType }),
      answerBody: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.answerBody ?? null }),
      visibility: t.field({ type: VisibilityEnum, resolve: (e) => e.visibility }),
      enabled: t.exposeBoolean('enabled'),
      pagePatterns: t.stringList({
        description: 'URL patterns of the pages the entry belongs to: self-service shows it under 猜你想问 there. `*` is a wildcard; "/path*" matches path and query, "host/path*" adds the host, a pattern with "://" the whole URL.',
        resolve: (e) => e.pagePatterns ?? [],
      }),
      version: t.exposeInt('version'),
      categoryId: t.exposeID('categoryId', { nullable: true }),
      categoryPath: t.exposeString('category', { nullable: true, description: 'The category path as stored with the entry.' }),
      category: t.field({ type: CategoryRef, nullable: true, resolve: (e, _a, ctx) => (e.categoryId ? ctx.em.findOne(KnowledgeCategory, { id: e.categoryId }) : null) }),
      updatedById: t.exposeID('updatedById', { nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
      revisions: t.field({
        type: [RevisionRef],
        description: 'Every version, newest first.',
        args: { limit: t.arg.int({ required: false }) },
        resolve: (e, args, ctx) => ctx.em.find(KnowledgeEntryRevision, { entryId: e.id }, { orderBy: { version: 'desc' }, limit: Math.min(Math.max(args.limit ?? 100, 1), 500) }),
      }),
    }),
  });

  PageRef.implement({
    fields: (t) => ({ total: t.exposeInt('total'), items: t.field({ type: [EntryRef], resolve: (p) => p.items }) }),
  });

  ImportErrorRef.implement({
    fields: (t) => ({
      row: t.exposeInt('row', { description: 'CSV: the spreadsheet row (header = 1); JSON: the 1-based array index.' }),
      field: t.exposeString('field', { nullable: true }),
      message: t.exposeString('message'),
    }),
  });

  ImportRef.implement({
    description: 'A knowledge import run: progress, counters and the per-row errors (rows with errors are not written).',
    authScopes: can.knowledgeWrite,
    fields: (t) => ({
      id: t.exposeID('id'),
      status: t.field({ type: StatusEnum, resolve: (i) => i.status }),
      format: t.exposeString('format'),
      mode: t.exposeString('mode'),
      total: t.exposeInt('total'),
      processed: t.exposeInt('processed'),
      progress: t.float({ description: 'processed / total (0..1).', resolve: (i) => (i.total > 0 ? i.processed / i.total : i.status === 'completed' ? 1 : 0) }),
      created: t.exposeInt('created'),
      updated: t.exposeInt('updated'),
      skipped: t.exposeInt('skipped', { description: 'Existing entries left alone (mode skip) or unchanged (mode upsert).' }),
      errorCount: t.exposeInt('errorCount', { description: 'Errors found (a row can have several).' }),
      failedRows: t.int({ description: 'Rows not written because of errors (processed − created − updated − skipped).', resolve: (i) => Math.max(0, i.processed - i.created - i.updated - i.skipped) }),
      errors: t.field({
        type: [ImportErrorRef],
        description: 'Per-row errors in row order (the first 5,000 are kept).',
        args: { limit: t.arg.int({ required: false }), offset: t.arg.int({ required: false }) },
        resolve: (i, args) => {
          const offset = Math.max(args.offset ?? 0, 0);
          return (i.errors ?? []).slice(offset, offset + Math.min(Math.max(args.limit ?? 1000, 1), 5000));
        },
      }),
      message: t.exposeString('message', { nullable: true, description: 'Why the whole import failed, when it did.' }),
      createdById: t.exposeID('createdById', { nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
      finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
    }),
  });

  SuggestionRef.implement({
    description: 'A knowledge entry suggested to an agent, with its match score (0..1).',
    fields: (t) => ({
      entryId: t.id({ resolve: (s) => s.entry.id }),
      score: t.exposeFloat('score'),
      question: t.string({ resolve: (s) => s.entry.question }),
      answer: t.string({ resolve: (s) => s.entry.answer }),
      answerType: t.field({ type: AnswerTypeEnum, resolve: (s) => s.entry.answerType }),
      answerBody: t.field({ type: 'JSON', nullable: true, resolve: (s) => s.entry.answerBody ?? null }),
      visibility: t.field({ type: VisibilityEnum, resolve: (s) => s.entry.visibility }),
      categoryPath: t.string({ nullable: true, resolve: (s) => s.entry.category ?? null }),
      entry: t.field({ type: EntryRef, resolve: (s) => s.entry }),
    }),
  });

  // ── queries ────────────────────────────────────────────────────────────────────────────────────

  builder.queryField('knowledgeCategories', (t) =>
    t.field({
      type: [CategoryRef], authScopes: can.knowledgeRead,
      description: 'All categories (a flat list: build the tree from parentId), ordered by sort then name.',
      resolve: (_r, _a, ctx) => ctx.em.find(KnowledgeCategory, {}, { orderBy: { sort: 'asc', name: 'asc', id: 'asc' } }),
    }),
  );

  builder.queryField('knowledgeEntries', (t) =>
    t.field({
      type: PageRef, authScopes: can.knowledgeRead,
      description: 'Entries, most recently changed first. `search` looks in questions, variants and answers; agents see enabled entries only.',
      args: {
        categoryId: t.arg.id({ required: false }),
        includeSubcategories: t.arg.boolean({ required: false, description: 'With categoryId: also entries of its sub-categories (default true).' }),
        visibility: t.arg({ type: VisibilityEnum, required: false }),
        search: t.arg.string({ required: false }),
        enabled: t.arg.boolean({ required: false }),
        limit: t.arg.int({ required: false }),
        offset: t.arg.int({ required: false }),
      },
      resolve: async (_r, args, ctx) => {
        const paging = parseInput(Paging, { limit: args.limit, offset: args.offset });
        const search = parseInput(Search, args.search);
        const wsId = workspaceOf(ctx);
        const where = ['workspace_id = ?'];
        const params: unknown[] = [wsId];
        if (args.categoryId) {
          const cat = await requireCategory(ctx, String(args.categoryId));
          const ids = args.includeSubcategories === false ? [cat!.id] : (await categoryTree(ctx.em)).descendants(cat!.id);
          where.push(`category_id in (${ids.map(() => '?').join(',')})`);
          params.push(...ids);
        }
        if (args.visibility) { where.push('visibility = ?'); params.push(args.visibility); }
        const enabled = seesDisabled(ctx) ? args.enabled : true;
        if (enabled !== null && enabled !== undefined) { where.push('enabled = ?'); params.push(enabled ? 1 : 0); }
        if (search) {
          where.push('(question like ? or variants like ? or answer like ?)');
          params.push(likePattern(search), likePattern(search), likePattern(search));
        }
        const conn = ctx.em.getConnection();
        const cond = where.join(' and ');
        const [count] = await conn.execute<{ n: number }[]>(`select count(*) n from knowledge_entry where ${cond}`, params);
        const ids = await conn.execute<{ id: string }[]>(
          `select id from knowledge_entry where ${cond} order by updated_at desc, id desc limit ? offset ?`, [...params, paging.limit ?? 50, paging.offset ?? 0],
        );
        const items = ids.length ? await ctx.em.find(KnowledgeEntry, { id: { $in: ids.map((r) => r.id) } }) : [];
        const byId = new Map(items.map((e) => [e.id, e]));
        return { total: Number(count?.n ?? 0), items: ids.map((r) => byId.get(r.id)).filter((e): e is KnowledgeEntry => !!e) };
      },
    }),
  );

  builder.queryField('knowledgeEntry', (t) =>
    t.field({
      type: EntryRef, authScopes: can.knowledgeRead, args: { id: t.arg.id() },
      resolve: async (_r, { id }, ctx) => (await ctx.em.findOne(KnowledgeEntry, { id: parseInput(Id, id) })) ?? Promise.reject(notFound('KnowledgeEntry', String(id))),
    }),
  );

  builder.queryField('exportKnowledge', (t) =>
    t.string({
      authScopes: can.knowledgeWrite,
      description: 'The knowledge base as a file. CSV columns: category, question, variants (separated by "|"), answer, visibility, answerType, answerBody (JSON), enabled; JSON: an array of objects with the same keys.',
      args: {
        format: t.arg({ type: FormatEnum }),
        categoryId: t.arg.id({ required: false, description: 'Only this category and its sub-categories.' }),
        visibility: t.arg({ type: VisibilityEnum, required: false }),
      },
      resolve: async (_r, args, ctx) => {
        const cat = await requireCategory(ctx, args.categoryId ? String(args.categoryId) : null);
        const categoryIds = cat ? (await categoryTree(ctx.em)).descendants(cat.id) : null;
        return exportKnowledge(ctx.em, args.format, { categoryIds, visibility: args.visibility ?? null });
      },
    }),
  );

  builder.queryField('knowledgeImport', (t) =>
    t.field({
      type: ImportRef, authScopes: can.knowledgeWrite, args: { id: t.arg.id() },
      resolve: async (_r, { id }, ctx) => (await ctx.em.findOne(KnowledgeImport, { id: parseInput(Id, id) })) ?? Promise.reject(notFound('KnowledgeImport', String(id))),
    }),
  );

  builder.queryField('knowledgeImports', (t) =>
    t.field({
      type: [ImportRef], authScopes: can.knowledgeWrite, args: { limit: t.arg.int({ required: false }) },
      description: 'Recent imports, newest first.',
      resolve: (_r, args, ctx) => ctx.em.find(KnowledgeImport, {}, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: Math.min(Math.max(args.limit ?? 20, 1), 100) }),
    }),
  );

  builder.queryField('assistSuggestions', (t) =>
    t.field({
      type: [SuggestionRef],
      description: "Agent assist (智能助手): the 5 enabled knowledge entries (internal and public) that best match `text` — or, when it is empty, the conversation's latest customer message.",
      authScopes: { $any: { role: 'agent', apiScope: 'conversations:read' } },
      args: { conversationId: t.arg.id(), text: t.arg.string({ required: false }), limit: t.arg.int({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const c = await conversationFor(ctx, String(args.conversationId));
        let text = parseInput(z.string().max(2000).nullish(), args.text)?.trim() ?? '';
        if (!text) {
          const last = await ctx.em.findOne(
            Message, { conversationId: c.id, senderType: 'customer', recalledAt: null, type: 'text' }, { orderBy: { seq: 'desc' } },
          );
          text = typeof last?.body.text === 'string' ? last.body.text : '';
        }
        if (!text.trim()) return [];
        const ranked = rank(text, await knowledgeIndex(ctx.hub.orm, c.workspaceId), Math.min(Math.max(args.limit ?? 5, 1), 10));
        if (ranked.length === 0) return [];
        const entries = await ctx.em.find(KnowledgeEntry, { id: { $in: ranked.map((r) => r.item.id) }, enabled: true });
        const byId = new Map(entries.map((e) => [e.id, e]));
        return ranked.flatMap((r) => { const entry = byId.get(r.item.id); return entry ? [{ entry, score: r.score }] : []; });
      },
    }),
  );

  // ── categories ─────────────────────────────────────────────────────────────────────────────────

  const CategoryInput = z.object({ name: CategoryName, sort: z.number().int().min(-1_000_000).max(1_000_000).nullish() });

  async function assertSiblingFree(ctx: HubGraphQLContext, name: string, parentId: string | null, exceptId?: string) {
    const siblings = await ctx.em.find(KnowledgeCategory, { parentId });
    const clash = siblings.find((s) => s.id !== exceptId && s.name.toLowerCase() === name.toLowerCase());
    if (clash) throw conflict(`a category "${name}" already exists here`, { categoryId: clash.id });
  }

  /** Rewrites the stored category path of the entries under `rootId` (after a rename or move). */
  async function refreshPaths(ctx: HubGraphQLContext, rootId: string) {
    const tree = await categoryTree(ctx.em);
    for (const id of tree.descendants(rootId)) {
      await ctx.em.nativeUpdate(KnowledgeEntry, { categoryId: id }, { category: tree.storedPath(id) });
    }
  }

  builder.mutationField('createKnowledgeCategory', (t) =>
    t.field({
      type: CategoryRef, authScopes: can.knowledgeWrite,
      args: { name: t.arg.string(), parentId: t.arg.id({ required: false }), sort: t.arg.int({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const input = parseInput(CategoryInput, { name: args.name, sort: args.sort });
        const parent = await requireCategory(ctx, args.parentId ? String(args.parentId) : null);
        const wsId = workspaceOf(ctx);
        await assertSiblingFree(ctx, input.name, parent?.id ?? null);
        return ctx.hub.transact(ctx.em, async (tx) => {
          const c = tx.create(KnowledgeCategory, { workspaceId: wsId, name: input.name, parentId: parent?.id ?? null, sort: input.sort ?? 0 });
          recordAudit(tx, wsId, actorOf(ctx), 'knowledge_category.create', { type: 'KnowledgeCategory', id: c.id }, { name: c.name, parentId: c.parentId });
          return c;
        });
      },
    }),
  );

  builder.mutationField('updateKnowledgeCategory', (t) =>
    t.field({
      type: CategoryRef, authScopes: can.knowledgeWrite,
      description: 'Renames, moves (parentId; null = to the root) or re-sorts a category.',
      args: { id: t.arg.id(), name: t.arg.string({ required: false }), parentId: t.arg.id({ required: false }), sort: t.arg.int({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const c = await requireCategory(ctx, String(args.id));
        const input = parseInput(CategoryInput, { name: args.name ?? c!.name, sort: args.sort ?? c!.sort });
        let parentId = c!.parentId ?? null;
        if (args.parentId !== undefined) {
          const parent = await requireCategory(ctx, args.parentId ? String(args.parentId) : null);
          if (parent && (await categoryTree(ctx.em)).descendants(c!.id).includes(parent.id)) throw badInput('a category cannot move under itself or its sub-categories', { issues: [{ path: 'parentId', message: 'would create a cycle' }] });
          parentId = parent?.id ?? null;
        }
        await assertSiblingFree(ctx, input.name, parentId, c!.id);
        const wsId = workspaceOf(ctx);
        const before = { name: c!.name, parentId: c!.parentId ?? null, sort: c!.sort };
        const updated = await ctx.hub.transact(ctx.em, async (tx) => {
          const row = await tx.findOneOrFail(KnowledgeCategory, { id: c!.id });
          tx.assign(row, { name: input.name, parentId, sort: input.sort ?? 0 });
          recordAudit(tx, wsId, actorOf(ctx), 'knowledge_category.update', { type: 'KnowledgeCategory', id: row.id }, { before, after: { name: row.name, parentId, sort: row.sort } });
          return row;
        });
        if (before.name !== updated.name || before.parentId !== parentId) await refreshPaths(ctx, updated.id);
        return updated;
      },
    }),
  );

  builder.mutationField('deleteKnowledgeCategory', (t) =>
    t.boolean({
      authScopes: can.knowledgeWrite,
      description: 'Deletes an empty category (CONFLICT while it has sub-categories or entries).',
      args: { id: t.arg.id() },
      resolve: async (_r, args, ctx) => {
        const c = await requireCategory(ctx, String(args.id));
        if (await ctx.em.count(KnowledgeCategory, { parentId: c!.id })) throw conflict('the category has sub-categories; move or delete them first');
        const entries = await ctx.em.count(KnowledgeEntry, { categoryId: c!.id });
        if (entries) throw conflict(`the category has ${entries} entries; move or delete them first`);
        const wsId = workspaceOf(ctx);
        await ctx.hub.transact(ctx.em, async (tx) => {
          tx.remove(await tx.findOneOrFail(KnowledgeCategory, { id: c!.id }));
          recordAudit(tx, wsId, actorOf(ctx), 'knowledge_category.delete', { type: 'KnowledgeCategory', id: c!.id }, { name: c!.name });
        });
        return true;
      },
    }),
  );

  // ── entries ────────────────────────────────────────────────────────────────────────────────────

  const entryArgs = (t: any, required: boolean) => ({
    question: t.arg.string({ required }),
    variants: t.arg.stringList({ required: false }),
    answer: t.arg.string({ required: false, description: 'Plain text (what the bot sends); derived from answerBody when omitted for rich answers.' }),
    answerType: t.arg({ type: AnswerTypeEnum, required: false }),
    answerBody: t.arg({
      type: 'JSON', required: false,
      description: 'rich_text: { html }; image: { url, alt? }; link: { url, title, description? }; card: { title, description?, url?, image?, actions? }',
    }),
    visibility: t.arg({ type: VisibilityEnum, required: false }),
    categoryId: t.arg.id({ required: false }),
    enabled: t.arg.boolean({ required: false }),
    pagePatterns: t.arg.stringList({ required: false, description: 'Pages the entry belongs to (self-service 猜你想问), e.g. "/help/returns*".' }),
  });

  /** Writes an entry change (locked, version-checked) with its revision, audit row and event. */
  async function writeChange(
    ctx: HubGraphQLContext, id: string, expectedVersion: number | null,
    next: (current: KnowledgeEntry) => Promise<KnowledgeSnapshot>, action: 'update' | 'restore', details: Record<string, unknown> = {},
  ): Promise<KnowledgeEntry> {
    const wsId = workspaceOf(ctx);
    return ctx.hub.transact(ctx.em, async (tx) => {
      const e = await tx.findOne(KnowledgeEntry, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!e) throw notFound('KnowledgeEntry', id);
      if (expectedVersion !== null && e.version !== expectedVersion) {
        throw conflict(`the entry was changed meanwhile: it is at version ${e.version}, not ${expectedVersion}; reload and retry`, { currentVersion: e.version, expectedVersion });
      }
      const before = snapshotOf(e);
      const snap = await next(e);
      if (changeEntry(tx, e, snap, authorOf(ctx), action)) {
        recordAudit(tx, wsId, actorOf(ctx), `knowledge_entry.${action}`, { type: 'KnowledgeEntry', id: e.id }, { version: e.version, changed: changedFields(before, snap), ...details });
        recordEvent(tx, wsId, 'knowledge.changed', { entryId: e.id, action, version: e.version });
      }
      return e;
    });
  }

  builder.mutationField('createKnowledgeEntry', (t) =>
    t.field({
      type: EntryRef, authScopes: can.knowledgeWrite, args: entryArgs(t, true),
      resolve: async (_r, args: Record<string, unknown>, ctx) => {
        const content: EntryContent = parseInput(EntryContentSchema, { ...args, categoryId: undefined });
        const cat = await requireCategory(ctx, (args.categoryId as string | null | undefined) ?? null);
        await assertQuestionFree(ctx, content.question);
        const wsId = workspaceOf(ctx);
        const tree = await categoryTree(ctx.em);
        return ctx.hub.transact(ctx.em, async (tx) => {
          const e = createEntry(tx, wsId, { ...content, categoryId: cat?.id ?? null, category: tree.storedPath(cat?.id) }, authorOf(ctx));
          recordAudit(tx, wsId, actorOf(ctx), 'knowledge_entry.create', { type: 'KnowledgeEntry', id: e.id }, { version: 1, question: e.question });
          recordEvent(tx, wsId, 'knowledge.changed', { entryId: e.id, action: 'create', version: 1 });
          return e;
        });
      },
    }),
  );

  builder.mutationField('updateKnowledgeEntry', (t) =>
    t.field({
      type: EntryRef, authScopes: can.knowledgeWrite,
      description: 'Changes the given fields as a new version. `expectedVersion` is the version the editor started from: CONFLICT when the entry moved on since. Unchanged content makes no new version.',
      args: { id: t.arg.id(), expectedVersion: t.arg.int(), ...entryArgs(t, false) },
      resolve: async (_r, args: Record<string, unknown>, ctx) => {
        const id = parseInput(Id, args.id);
        const expected = parseInput(ExpectedVersion, args.expectedVersion);
        const patch = Object.fromEntries(Object.entries(args).filter(([k, v]) => !['id', 'expectedVersion', 'categoryId'].includes(k) && v !== undefined && (v !== null || k === 'answerBody')));
        const categoryGiven = args.categoryId !== undefined;
        const cat = categoryGiven ? await requireCategory(ctx, (args.categoryId as string | null) ?? null) : null;
        const tree = await categoryTree(ctx.em);
        return writeChange(ctx, id, expected, async (current) => {
          const merged: Record<string, unknown> = { ...contentOf(snapshotOf(current)), ...patch };
          // A new rich answer without a new plain answer: derive the plain one again.
          if ((patch.answerType !== undefined || patch.answerBody !== undefined) && patch.answer === undefined && merged.answerType !== 'text') merged.answer = undefined;
          const content = parseInput(EntryContentSchema, merged);
          if (content.question !== current.question) await assertQuestionFree(ctx, content.question, current.id);
          const categoryId = categoryGiven ? cat?.id ?? null : current.categoryId ?? null;
          return { ...content, categoryId, category: categoryId ? tree.storedPath(categoryId) : null };
        }, 'update');
      },
    }),
  );

  builder.mutationField('deleteKnowledgeEntry', (t) =>
    t.boolean({
      authScopes: can.knowledgeWrite,
      description: 'Deletes an entry (its revisions stay in the history). With expectedVersion: CONFLICT when it changed since.',
      args: { id: t.arg.id(), expectedVersion: t.arg.int({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const id = parseInput(Id, args.id);
        const expected = args.expectedVersion == null ? null : parseInput(ExpectedVersion, args.expectedVersion);
        const wsId = workspaceOf(ctx);
        await ctx.hub.transact(ctx.em, async (tx) => {
          const e = await tx.findOne(KnowledgeEntry, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
          if (!e) throw notFound('KnowledgeEntry', id);
          if (expected !== null && e.version !== expected) throw conflict(`the entry was changed meanwhile: it is at version ${e.version}, not ${expected}`, { currentVersion: e.version, expectedVersion: expected });
          tx.remove(e);
          recordAudit(tx, wsId, actorOf(ctx), 'knowledge_entry.delete', { type: 'KnowledgeEntry', id }, { version: e.version, snapshot: snapshotOf(e) });
          recordEvent(tx, wsId, 'knowledge.changed', { entryId: id, action: 'delete', version: e.version });
        });
        return true;
      },
    }),
  );

  builder.mutationField('restoreKnowledgeRevision', (t) =>
    t.field({
      type: EntryRef, authScopes: can.knowledgeWrite,
      description: "Makes an old revision's content current again, as a new version (history is never rewritten).",
      args: { revisionId: t.arg.id(), expectedVersion: t.arg.int({ required: false }) },
      resolve: async (_r, args, ctx) => {
        const rev = await ctx.em.findOne(KnowledgeEntryRevision, { id: parseInput(Id, args.revisionId) });
        if (!rev) throw notFound('KnowledgeRevision', String(args.revisionId));
        const expected = args.expectedVersion == null ? null : parseInput(ExpectedVersion, args.expectedVersion);
        const tree = await categoryTree(ctx.em);
        return writeChange(ctx, rev.entryId, expected, async (current) => {
          const content = parseInput(EntryContentSchema, contentOf(rev.snapshot));
          if (content.question !== current.question) await assertQuestionFree(ctx, content.question, current.id);
          // A category deleted since is dropped rather than restored.
          const categoryId = rev.snapshot.categoryId && tree.byId.has(rev.snapshot.categoryId) ? rev.snapshot.categoryId : null;
          return { ...content, categoryId, category: tree.storedPath(categoryId) };
        }, 'restore', { restoredFrom: rev.version });
      },
    }),
  );

  // ── import ─────────────────────────────────────────────────────────────────────────────────────

  builder.mutationField('importKnowledge', (t) =>
    t.field({
      type: ImportRef, authScopes: can.knowledgeWrite,
      description: 'Starts an import (a background job) and returns it at once; poll knowledgeImport(id) for progress and per-row errors. Send the file as `content` (text) or as `contentBase64` (its bytes; `encoding` UTF_8 or GB18030).',
      args: {
        format: t.arg({ type: FormatEnum }),
        mode: t.arg({ type: ModeEnum, required: false, description: 'Default upsert.' }),
        content: t.arg.string({ required: false }),
        contentBase64: t.arg.string({ required: false }),
        encoding: t.arg({ type: EncodingEnum, required: false, description: 'Of contentBase64; default UTF_8.' }),
      },
      resolve: async (_r, args, ctx) => {
        if ((args.content == null) === (args.contentBase64 == null)) throw badInput('send the file as exactly one of content or contentBase64');
        let content: string;
        if (args.contentBase64 != null) {
          if (args.contentBase64.length > Math.ceil(KNOWLEDGE_IMPORT_MAX_CHARS / 3) * 4) throw badInput(`the file is larger than ${KNOWLEDGE_IMPORT_MAX_CHARS / 1024 / 1024} MB`);
          try {
            content = decodeFile(Buffer.from(args.contentBase64, 'base64'), (args.encoding) ?? 'utf-8');
          } catch (err) {
            if (err instanceof ImportFileError) throw badInput(err.message, { issues: [{ path: 'contentBase64', message: err.message }] });
            throw err;
          }
        } else {
          content = args.content!;
          if (content.includes('\uFFFD')) {
            throw badInput('the file is not valid UTF-8 (it contains replacement characters): save it as UTF-8, or send its bytes as contentBase64 with encoding GB18030', { issues: [{ path: 'content', message: 'not valid UTF-8' }] });
          }
        }
        if (content.length > KNOWLEDGE_IMPORT_MAX_CHARS) throw badInput(`the file is larger than ${KNOWLEDGE_IMPORT_MAX_CHARS / 1024 / 1024} MB`);
        if (!content.trim()) throw badInput('the file is empty');
        const wsId = workspaceOf(ctx);
        const mode = args.mode ?? 'upsert';
        const imp = await ctx.hub.transact(ctx.em, async (tx) => {
          const i = tx.create(KnowledgeImport, { workspaceId: wsId, format: args.format, mode, status: 'queued', errors: [], message: null, createdById: authorOf(ctx) });
          recordAudit(tx, wsId, actorOf(ctx), 'knowledge.import_start', { type: 'KnowledgeImport', id: i.id }, { format: args.format, mode, size: content.length });
          return i;
        });
        try {
          await ctx.hub.queues.knowledgeImport.add('import', {
            importId: imp.id, workspaceId: wsId, format: args.format, mode, content, actor: actorOf(ctx), authorId: authorOf(ctx),
          }, { jobId: imp.id });
        } catch (err) {
          await ctx.em.nativeUpdate(KnowledgeImport, { id: imp.id }, { status: 'failed', message: `could not queue the import: ${(err as Error).message}`.slice(0, 1000), finishedAt: new Date() });
          throw new HubError('UNAVAILABLE', 'the job queue is unavailable; try again later');
        }
        return imp;
      },
    }),
  );

}
