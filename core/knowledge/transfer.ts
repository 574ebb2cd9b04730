/**
 * Knowledge import/export file formats.
 *
 * CSV: a header row, then one entry per row. Columns (by header name, any order; Chinese names
 * accepted): `category` (path, `售后 > 退换货`), `question`, `variants` (separated by `|`; `\|` for a
 * literal bar), `answer`, `visibility` (public | internal, empty = public), and optionally
 * `answerType` and `answerBody` (JSON) for rich answers, `enabled` (true/false) and `pages` (URL
 * patterns of the pages the entry belongs to, separated by `|`). Exports write the first five columns
 * and then `answerType`, `answerBody`, `enabled`, `pages`.
 * JSON: an array of objects with the same keys (`variants` an array of strings, `answerBody` an object).
 * Row numbers in error reports: CSV — the spreadsheet row (the header is row 1); JSON — the 1-based
 * array index.
 */
import type { EntityManager } from '@mikro-orm/mysql';
import { KnowledgeEntry, type KnowledgeImportError } from '../db/entities/index.ts';
import { joinVariants, parseCsv, splitVariants, writeCsv } from './csv.ts';
import { categoryTree } from './entries.ts';

export const KNOWLEDGE_FORMATS = ['CSV', 'JSON'] as const;
export type KnowledgeFormat = (typeof KNOWLEDGE_FORMATS)[number];

export const EXPORT_COLUMNS = ['category', 'question', 'variants', 'answer', 'visibility', 'answerType', 'answerBody', 'enabled', 'pages'] as const;

/** One row of an import file, before validation. */
export interface RawRow {
  row: number;
  /** A problem found while reading the row (bad JSON cell, malformed CSV record). */
  errors: KnowledgeImportError[];
  category?: unknown;
  question?: unknown;
  variants?: unknown;
  answer?: unknown;
  visibility?: unknown;
  answerType?: unknown;
  answerBody?: unknown;
  enabled?: unknown;
  pagePatterns?: unknown;
}

/** A file that cannot be read at all. */
export class ImportFileError extends Error {}

const HEADER_ALIASES: Record<string, keyof RawRow> = {
  category: 'category', 分类: 'category', 类别: 'category', 目录: 'category',
  question: 'question', 问题: 'question', 标准问题: 'question', 标准问: 'question',
  variants: 'variants', 相似问题: 'variants', 相似问法: 'variants', 相似问: 'variants', 变体: 'variants',
  answer: 'answer', 答案: 'answer', 回答: 'answer',
  visibility: 'visibility', 可见性: 'visibility', 可见范围: 'visibility',
  answertype: 'answerType', answer_type: 'answerType', 答案类型: 'answerType',
  answerbody: 'answerBody', answer_body: 'answerBody', 富文本答案: 'answerBody',
  enabled: 'enabled', 启用: 'enabled',
  pages: 'pagePatterns', pagepatterns: 'pagePatterns', page_patterns: 'pagePatterns', 页面: 'pagePatterns', 适用页面: 'pagePatterns',
};

const VISIBILITY_ALIASES: Record<string, string> = { public: 'public', 公开: 'public', 外部: 'public', internal: 'internal', 内部: 'internal' };

function visibilityOf(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim();
  return s === '' ? undefined : VISIBILITY_ALIASES[s.toLowerCase()] ?? s;
}

function booleanOf(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  if (s === '') return undefined;
  if (['true', '1', 'yes', 'y', '是', '启用'].includes(s)) return true;
  if (['false', '0', 'no', 'n', '否', '停用'].includes(s)) return false;
  return s;
}

/**
 * Decodes the bytes of an uploaded file. UTF-8 (with or without BOM) or GB18030; bytes that are not
 * valid in the encoding are refused rather than replaced.
 */
export function decodeFile(bytes: Uint8Array, encoding: 'utf-8' | 'gb18030' = 'utf-8'): string {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ImportFileError(encoding === 'utf-8'
      ? 'the file is not valid UTF-8: save it as "CSV UTF-8", or pass encoding GB18030 for files from Chinese Excel'
      : 'the file is not valid GB18030 text');
  }
}

/** Reads an import file into raw rows. Throws ImportFileError when the file as a whole is unreadable. */
export function readRows(format: KnowledgeFormat, content: string): RawRow[] {
  return format === 'CSV' ? readCsv(content) : readJson(content);
}

function readCsv(content: string): RawRow[] {
  const records = parseCsv(content);
  const header = records[0];
  if (!header) throw new ImportFileError('the file is empty');
  if (header.error) throw new ImportFileError(`the header row is malformed: ${header.error}`);
  const columns = header.fields.map((h) => HEADER_ALIASES[h.trim().toLowerCase()] ?? HEADER_ALIASES[h.trim()] ?? null);
  for (const need of ['question', 'answer'] as const) {
    if (!columns.includes(need) && !(need === 'answer' && columns.includes('answerBody'))) {
      throw new ImportFileError(`the header row has no "${need}" column (found: ${header.fields.join(', ') || 'nothing'}); expected ${EXPORT_COLUMNS.slice(0, 5).join(',')}`);
    }
  }
  return records.slice(1).map((r) => {
    const row: RawRow = { row: r.record, errors: [] };
    if (r.error) row.errors.push({ row: r.record, field: null, message: `malformed CSV on line ${r.line}: ${r.error}` });
    if (r.fields.length > columns.length && r.fields.slice(columns.length).some((f) => f.trim() !== '')) {
      row.errors.push({ row: r.record, field: null, message: `the row has ${r.fields.length} fields but the header has ${columns.length} (quote fields that contain commas)` });
    }
    columns.forEach((col, i) => {
      if (!col || col === 'row' || col === 'errors') return;
      const cell = r.fields[i] ?? '';
      switch (col) {
        case 'variants': row.variants = splitVariants(cell); break;
        case 'visibility': row.visibility = visibilityOf(cell); break;
        case 'enabled': row.enabled = booleanOf(cell); break;
        case 'pagePatterns': row.pagePatterns = splitVariants(cell); break;
        case 'answerType': row.answerType = cell.trim() || undefined; break;
        case 'answerBody': {
          if (cell.trim() === '') break;
          try {
            row.answerBody = JSON.parse(cell);
          } catch {
            row.errors.push({ row: r.record, field: 'answerBody', message: 'answerBody is not valid JSON' });
          }
          break;
        }
        default: row[col] = cell;
      }
    });
    return row;
  });
}

function readJson(content: string): RawRow[] {
  let data: unknown;
  try {
    data = JSON.parse(content.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ImportFileError(`the file is not valid JSON: ${(err as Error).message}`);
  }
  if (data && typeof data === 'object' && !Array.isArray(data) && Array.isArray((data as { entries?: unknown }).entries)) data = (data as { entries: unknown[] }).entries;
  if (!Array.isArray(data)) throw new ImportFileError('the JSON file must be an array of entries');
  return data.map((item: unknown, i) => {
    const row: RawRow = { row: i + 1, errors: [] };
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      row.errors.push({ row: i + 1, field: null, message: 'not an object' });
      return row;
    }
    const o = item as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) {
      const col = HEADER_ALIASES[k.toLowerCase()] ?? HEADER_ALIASES[k];
      if (!col || col === 'row' || col === 'errors') continue;
      switch (col) {
        case 'variants': row.variants = typeof v === 'string' ? splitVariants(v) : v; break;
        case 'visibility': row.visibility = visibilityOf(v); break;
        case 'enabled': row.enabled = booleanOf(v); break;
        case 'pagePatterns': row.pagePatterns = typeof v === 'string' ? splitVariants(v) : v; break;
        case 'category': row.category = Array.isArray(v) ? v.join(' > ') : v; break;
        default: row[col] = v;
      }
    }
    return row;
  });
}

export interface ExportFilter { categoryIds?: string[] | null; visibility?: 'public' | 'internal' | null }

/** The workspace's entries as an export file (ordered by category path, then question). */
export async function exportKnowledge(em: EntityManager, format: KnowledgeFormat, filter: ExportFilter = {}): Promise<string> {
  const tree = await categoryTree(em);
  const where: Record<string, unknown> = {};
  if (filter.categoryIds) where.categoryId = { $in: filter.categoryIds };
  if (filter.visibility) where.visibility = filter.visibility;
  const entries = await em.find(KnowledgeEntry, where, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const rows = entries.map((e) => ({
    category: tree.path(e.categoryId) ?? e.category ?? '',
    question: e.question,
    variants: e.variants ?? [],
    answer: e.answer,
    visibility: e.visibility,
    answerType: e.answerType,
    answerBody: e.answerBody ?? null,
    enabled: e.enabled,
    pages: e.pagePatterns ?? [],
  }));
  // A stable order (re-importing and exporting again gives the same file): uncategorised last.
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  rows.sort((a, b) => (a.category === b.category ? cmp(a.question, b.question) : a.category === '' ? 1 : b.category === '' ? -1 : cmp(a.category, b.category)));
  if (format === 'JSON') return `${JSON.stringify(rows, null, 2)}\n`;
  return writeCsv(EXPORT_COLUMNS, rows.map((r) => [
    r.category, r.question, joinVariants(r.variants), r.answer, r.visibility,
    r.answerType === 'text' ? '' : r.answerType, r.answerBody ? JSON.stringify(r.answerBody) : '', r.enabled ? 'true' : 'false', joinVariants(r.pages),
  ]));
}
