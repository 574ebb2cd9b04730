/**
 * RFC 4180 CSV, both ways. The parser accepts what spreadsheets write: an optional UTF-8 BOM, CRLF,
 * LF or CR line ends, quoted fields with `""` for a quote, and line breaks and commas inside quoted
 * fields. Blank lines are skipped. Problems are reported per record (by its 1-based record number and
 * the line it starts on) instead of failing the whole file.
 */

export interface CsvRecord {
  /** 1-based record number (the header is record 1 — the row number a spreadsheet shows). */
  record: number;
  /** 1-based line the record starts on. */
  line: number;
  fields: string[];
  /** Set when the record is malformed (e.g. text after a closing quote, an unterminated quote). */
  error?: string;
}

const BOM = '\uFEFF';

/** Parses CSV text into records (blank lines skipped). */
export function parseCsv(input: string): CsvRecord[] {
  const text = input.startsWith(BOM) ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let wasQuoted = false; // the current field started with a quote (and it was closed)
  let error: string | undefined;
  let line = 1;
  let startLine = 1;
  let recordHasContent = false;

  const endField = () => {
    fields.push(field);
    field = '';
    wasQuoted = false;
  };
  const endRecord = () => {
    endField();
    const blank = !recordHasContent && fields.length === 1 && fields[0] === '';
    if (!blank) records.push({ record: records.length + 1, line: startLine, fields, ...(error ? { error } : {}) });
    fields = [];
    error = undefined;
    recordHasContent = false;
  };

  const n = text.length;
  for (let i = 0; i < n; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          wasQuoted = true;
        }
      } else {
        if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
        field += ch;
      }
      continue;
    }
    if (ch === ',') {
      recordHasContent = true;
      endField();
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      startLine = line;
    } else if (ch === '"' && field === '' && !wasQuoted) {
      quoted = true;
      recordHasContent = true;
    } else {
      if (wasQuoted) {
        error ??= `unexpected text after a closing quote in field ${fields.length + 1}`;
      } else if (ch === '"') {
        error ??= `stray quote in unquoted field ${fields.length + 1} (quote the field and double the quote: "")`;
      }
      field += ch;
      recordHasContent = true;
    }
  }
  if (quoted) error ??= `unterminated quoted field ${fields.length + 1} (started on line ${startLine})`;
  if (recordHasContent || field !== '' || fields.length > 0 || quoted) endRecord();
  return records;
}

/** Quotes a field when it holds a comma, a quote, a line break or leading/trailing spaces. */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * CSV text for a header and rows: CRLF line ends and a UTF-8 BOM, so spreadsheet programs open
 * Chinese text correctly.
 */
export function writeCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return BOM + [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/**
 * Variants travel in one CSV cell separated by `|`. A literal `|` or `\` inside a variant is written
 * as `\|` / `\\`; any other backslash is taken literally, so hand-written cells need no escaping.
 */
export function joinVariants(variants: readonly string[]): string {
  return variants.map((v) => v.replace(/\\/g, '\\\\').replace(/\|/g, '\\|')).join('|');
}

export function splitVariants(cell: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < cell.length; i++) {
    const ch = cell[i]!;
    const next = cell[i + 1];
    if (ch === '\\' && (next === '|' || next === '\\')) {
      cur += next;
      i++;
    } else if (ch === '|') {
      out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out.map((v) => v.trim()).filter((v) => v !== '');
}
