/**
 * The knowledge import job (BullMQ queue `knowledge-import`). The file is read once, then rows are
 * handled in batches of KNOWLEDGE_IMPORT_BATCH, each batch in one transaction together with the
 * import's counters and error list — so a crashed or retried job resumes after the last committed
 * batch, and `knowledgeImport(id)` always shows a consistent state.
 *
 * Per row: validation errors (`{ row, field, message }`: empty question, bad visibility, too long,
 * malformed rich answer, duplicate question within the file, …) keep that row out; good rows are
 * written. Unknown categories (paths such as `售后 > 退换货`) are created. An existing entry is the
 * one with the same question (case, width and spacing ignored): `upsert` updates it as a new version
 * (unchanged content is counted as skipped; columns the file lacks keep their values, see
 * keepUnstated), `skip` leaves it alone.
 */
import type { MikroORM } from '@mikro-orm/mysql';
import { LockMode } from '@mikro-orm/core';
import { KnowledgeCategory, KnowledgeEntry, KnowledgeImport, type KnowledgeImportError, type KnowledgeSnapshot } from '../db/entities/index.ts';
import { workspaceEm, type EntityManager } from '../db/orm.ts';
import { recordAudit, recordEvent } from '../events/outbox.ts';
import {
  CATEGORY_NAME_MAX, CATEGORY_SEPARATOR, CategoryName, EntryContentSchema, categoryTree, changeEntry, createEntry, questionKey, splitCategoryPath, type EntryContent,
} from './entries.ts';
import { ImportFileError, readRows, type KnowledgeFormat, type RawRow } from './transfer.ts';

export const KNOWLEDGE_IMPORT_BATCH = 500;
/** Errors kept on the import (the count goes on). */
export const KNOWLEDGE_IMPORT_MAX_ERRORS = 5_000;
export const KNOWLEDGE_IMPORT_MAX_ROWS = 100_000;
/** Largest accepted file, in characters. */
export const KNOWLEDGE_IMPORT_MAX_CHARS = 16 * 1024 * 1024;
export const KNOWLEDGE_IMPORT_MODES = ['upsert', 'skip'] as const;
export type KnowledgeImportMode = (typeof KNOWLEDGE_IMPORT_MODES)[number];

export interface KnowledgeImportJobData {
  importId: string;
  workspaceId: string;
  format: KnowledgeFormat;
  mode: KnowledgeImportMode;
  content: string;
  actor: { actorType: string; actorId: string | null };
  /** The user recorded as author of the revisions (null for API keys). */
  authorId: string | null;
}

export interface KnowledgeImportProgress {
  status: string;
  total: number;
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  errorCount: number;
}

/** Which optional columns the row has a value for (an update keeps the entry's own value otherwise). */
interface Given { category: boolean; variants: boolean; visibility: boolean; enabled: boolean; answerType: boolean; pagePatterns: boolean }

type Checked =
  | { ok: true; row: number; content: EntryContent; given: Given; categoryPath: string[] }
  | { ok: false; row: number; errors: KnowledgeImportError[] };

/** Validates one raw row (duplicates are checked by the caller). */
export function checkRow(raw: RawRow): Checked {
  const errors: KnowledgeImportError[] = [...raw.errors];
  // A record that could not be read as a whole (not an object, malformed CSV): its fields mean little.
  if (errors.some((e) => e.field === null)) return { ok: false, row: raw.row, errors };
  let categoryPath: string[] = [];
  if (typeof raw.category === 'string') {
    categoryPath = splitCategoryPath(raw.category);
    for (const name of categoryPath) {
      const r = CategoryName.safeParse(name);
      if (!r.success) errors.push({ row: raw.row, field: 'category', message: `category "${name.slice(0, 40)}": ${r.error.issues[0]?.message ?? 'invalid'}` });
    }
  } else if (raw.category !== undefined && raw.category !== null) {
    errors.push({ row: raw.row, field: 'category', message: 'category must be a text path such as "售后 > 退换货"' });
  }
  const parsed = EntryContentSchema.safeParse({
    question: raw.question, variants: raw.variants, answer: raw.answer, answerType: raw.answerType,
    answerBody: raw.answerBody, visibility: raw.visibility, enabled: raw.enabled, pagePatterns: raw.pagePatterns,
  });
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const field = i.path.length ? String(i.path[0]) : null;
      // One message per field is enough for a person fixing a spreadsheet.
      if (!errors.some((e) => e.field === field)) errors.push({ row: raw.row, field, message: i.message });
    }
  }
  if (errors.length || !parsed.success) return { ok: false, row: raw.row, errors };
  const given: Given = {
    category: raw.category !== undefined,
    variants: raw.variants !== undefined,
    visibility: raw.visibility !== undefined && raw.visibility !== null,
    enabled: raw.enabled !== undefined && raw.enabled !== null,
    answerType: (raw.answerType !== undefined && raw.answerType !== null) || (raw.answerBody !== undefined && raw.answerBody !== null),
    pagePatterns: raw.pagePatterns !== undefined,
  };
  return { ok: true, row: raw.row, content: parsed.data, given, categoryPath };
}

async function update(orm: MikroORM, workspaceId: string, importId: string, fields: Partial<KnowledgeImport>): Promise<void> {
  await workspaceEm(orm, workspaceId).nativeUpdate(KnowledgeImport, { id: importId }, { ...fields, updatedAt: new Date() });
}

/**
 * Runs (or resumes) an import. Unreadable files end the import as `failed` with a message; other
 * errors are thrown so the queue retries, resuming after the last committed batch.
 */
export async function runKnowledgeImport(
  orm: MikroORM, data: KnowledgeImportJobData, onProgress: (p: KnowledgeImportProgress) => Promise<void>,
): Promise<KnowledgeImportProgress> {
  const { workspaceId, importId } = data;
  const em = workspaceEm(orm, workspaceId);
  const imp = await em.findOne(KnowledgeImport, { id: importId });
  if (!imp) throw new Error(`knowledge import ${importId} not found in workspace ${workspaceId}`);
  const progressOf = (i: KnowledgeImport): KnowledgeImportProgress => ({
    status: i.status, total: i.total, processed: i.processed, created: i.created, updated: i.updated, skipped: i.skipped, errorCount: i.errorCount,
  });
  if (imp.status === 'completed' || imp.status === 'failed') return progressOf(imp);

  let rows: RawRow[];
  try {
    rows = readRows(data.format, data.content);
    if (rows.length > KNOWLEDGE_IMPORT_MAX_ROWS) throw new ImportFileError(`the file has ${rows.length} rows; at most ${KNOWLEDGE_IMPORT_MAX_ROWS} are imported at once`);
  } catch (err) {
    if (!(err instanceof ImportFileError)) throw err;
    await update(orm, workspaceId, importId, { status: 'failed', message: err.message.slice(0, 1000), startedAt: imp.startedAt ?? new Date(), finishedAt: new Date() });
    return { ...progressOf(imp), status: 'failed' };
  }
  const resumeAt = imp.status === 'running' ? Math.min(imp.processed, rows.length) : 0;
  if (imp.status !== 'running') {
    await update(orm, workspaceId, importId, { status: 'running', total: rows.length, startedAt: new Date() });
  }
  const counters = { processed: resumeAt, created: resumeAt ? imp.created : 0, updated: resumeAt ? imp.updated : 0, skipped: resumeAt ? imp.skipped : 0, errorCount: resumeAt ? imp.errorCount : 0 };
  let storedErrors = resumeAt ? imp.errors.length : 0;

  // Category paths → ids (lower-cased names joined); committed ones only.
  const tree = await categoryTree(em);
  const categories = new Map<string, string>();
  const pathById = new Map<string, string>();
  for (const id of tree.byId.keys()) {
    const path = tree.path(id) ?? '';
    categories.set(pathKey(splitCategoryPath(path)), id);
    pathById.set(id, path);
  }

  const firstRowOf = new Map<string, number>();
  const checkChunk = (chunk: RawRow[]) => chunk.map((raw) => {
    const c = checkRow(raw);
    if (!c.ok) return c;
    const key = questionKey(c.content.question);
    const first = firstRowOf.get(key);
    if (first !== undefined) return { ok: false as const, row: c.row, errors: [{ row: c.row, field: 'question', message: `duplicate question (same as row ${first})` }] };
    firstRowOf.set(key, c.row);
    return c;
  });
  // Rows already committed by an earlier attempt still count for duplicate detection.
  checkChunk(rows.slice(0, resumeAt));

  for (let start = resumeAt; start < rows.length; start += KNOWLEDGE_IMPORT_BATCH) {
    const chunk = rows.slice(start, start + KNOWLEDGE_IMPORT_BATCH);
    const checked = checkChunk(chunk);
    const errors = checked.flatMap((c) => (c.ok ? [] : c.errors));
    const good = checked.filter((c): c is Extract<Checked, { ok: true }> => c.ok);
    const created: string[] = [];
    const updated: string[] = [];
    let skipped = 0;
    const newCategories = new Map<string, string>();
    await workspaceEm(orm, workspaceId).transactional(async (tx) => {
      const existing = await existingByQuestion(tx, good.map((g) => g.content.question));
      for (const g of good) {
        const categoryId = resolveCategory(tx, workspaceId, g.categoryPath, categories, newCategories, pathById);
        const current = existing.get(questionKey(g.content.question));
        const snap: KnowledgeSnapshot = { ...g.content, categoryId, category: categoryId ? pathById.get(categoryId)?.slice(0, CATEGORY_NAME_MAX) ?? null : null };
        if (!current) {
          created.push(createEntry(tx, workspaceId, snap, data.authorId, 'import').id);
        } else if (data.mode === 'skip') {
          skipped++;
        } else {
          keepUnstated(snap, g.given, current);
          if (changeEntry(tx, current, snap, data.authorId, 'import')) updated.push(current.id);
          else skipped++;
        }
      }
      const row = await tx.findOneOrFail(KnowledgeImport, { id: importId });
      const keep = errors.slice(0, Math.max(0, KNOWLEDGE_IMPORT_MAX_ERRORS - storedErrors));
      counters.processed = start + chunk.length;
      tx.assign(row, {
        processed: counters.processed,
        created: counters.created + created.length,
        updated: counters.updated + updated.length,
        skipped: counters.skipped + skipped,
        errorCount: counters.errorCount + errors.length,
        errors: keep.length ? [...row.errors, ...keep] : row.errors,
      });
      if (created.length || updated.length) {
        recordAudit(tx, workspaceId, data.actor, 'knowledge.import_batch', { type: 'KnowledgeImport', id: importId }, {
          rows: [chunk[0]?.row ?? null, chunk.at(-1)?.row ?? null], created, updated,
        });
        recordEvent(tx, workspaceId, 'knowledge.changed', { importId, created: created.length, updated: updated.length });
      }
    });
    for (const [k, id] of newCategories) categories.set(k, id);
    counters.created += created.length;
    counters.updated += updated.length;
    counters.skipped += skipped;
    counters.errorCount += errors.length;
    storedErrors = Math.min(KNOWLEDGE_IMPORT_MAX_ERRORS, storedErrors + errors.length);
    await onProgress({ status: 'running', total: rows.length, ...counters });
  }

  await workspaceEm(orm, workspaceId).transactional(async (tx) => {
    const row = await tx.findOneOrFail(KnowledgeImport, { id: importId });
    tx.assign(row, { status: 'completed', total: rows.length, finishedAt: new Date() });
    recordAudit(tx, workspaceId, data.actor, 'knowledge.import', { type: 'KnowledgeImport', id: importId }, {
      format: data.format, mode: data.mode, total: rows.length, created: row.created, updated: row.updated, skipped: row.skipped, errors: row.errorCount,
    });
  });
  const done = { status: 'completed', total: rows.length, ...counters };
  await onProgress(done);
  return done;
}

/**
 * An update from a file changes only what the row states: a missing column (or an empty visibility
 * or enabled cell) keeps the entry's value; a plain answer without an answer type keeps the entry's
 * rich answer while the plain text is unchanged.
 */
function keepUnstated(snap: KnowledgeSnapshot, given: Given, current: KnowledgeEntry): void {
  if (!given.category) Object.assign(snap, { categoryId: current.categoryId ?? null, category: current.category ?? null });
  if (!given.variants) snap.variants = [...(current.variants ?? [])];
  if (!given.visibility) snap.visibility = current.visibility;
  if (!given.enabled) snap.enabled = current.enabled;
  if (!given.pagePatterns) snap.pagePatterns = [...(current.pagePatterns ?? [])];
  if (!given.answerType && current.answerType !== 'text' && snap.answer === current.answer) {
    Object.assign(snap, { answerType: current.answerType, answerBody: current.answerBody ?? null });
  }
}

/** Marks an import failed (after its last retry). */
export async function failKnowledgeImport(orm: MikroORM, workspaceId: string, importId: string, message: string): Promise<void> {
  await update(orm, workspaceId, importId, { status: 'failed', message: message.slice(0, 1000), finishedAt: new Date() });
}

function pathKey(path: readonly string[]): string {
  return path.map(questionKey).join('\u0000');
}

/**
 * The id of the category at `path`, creating the missing ones (kept in `created` until the batch
 * commits; `pathById` learns their paths, spelled as the existing categories are).
 */
function resolveCategory(
  tx: EntityManager, workspaceId: string, path: string[], known: Map<string, string>, created: Map<string, string>, pathById: Map<string, string>,
): string | null {
  let parentId: string | null = null;
  for (let i = 0; i < path.length; i++) {
    const key = pathKey(path.slice(0, i + 1));
    let id = known.get(key) ?? created.get(key);
    if (!id) {
      id = tx.create(KnowledgeCategory, { workspaceId, name: path[i]!, parentId, sort: 0 }).id;
      created.set(key, id);
      pathById.set(id, parentId ? `${pathById.get(parentId) ?? ''}${CATEGORY_SEPARATOR}${path[i]!}` : path[i]!);
    }
    parentId = id;
  }
  return parentId;
}

/** Entries whose question matches one of `questions`, locked for update, keyed by questionKey (oldest wins). */
async function existingByQuestion(tx: EntityManager, questions: string[]): Promise<Map<string, KnowledgeEntry>> {
  const out = new Map<string, KnowledgeEntry>();
  if (questions.length === 0) return out;
  const found = await tx.find(KnowledgeEntry, { question: { $in: [...new Set(questions)] } }, { orderBy: { createdAt: 'asc', id: 'asc' }, lockMode: LockMode.PESSIMISTIC_WRITE });
  for (const e of found) {
    const k = questionKey(e.question);
    if (!out.has(k)) out.set(k, e);
  }
  return out;
}
