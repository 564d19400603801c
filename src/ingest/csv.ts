// A streaming RFC 4180 CSV parser (pure): text in, records out, quoted fields may span lines.
import { ImportError } from "./errors.js";

export type CsvDelimiter = "," | ";" | "\t";

export interface CsvRecord {
  fields: string[];
  /** Physical line (1-based) on which the record starts. */
  line: number;
}

/** Largest field accepted (characters); beyond it a quote was almost surely left open. */
export const MAX_FIELD_CHARS = 32 * 1024 * 1024;

/**
 * The delimiter of a CSV text: ";", "," or tab, counted outside quotes on the first lines (up to
 * 20). The delimiter that appears the same number of times on the most lines wins (title rows
 * above the header and commas in free text do not mislead it); "," when in doubt.
 */
export function sniffDelimiter(text: string): CsvDelimiter {
  const candidates: CsvDelimiter[] = [",", ";", "\t"];
  const perLine: Record<CsvDelimiter, number>[] = [];
  let current = { ",": 0, ";": 0, "\t": 0 };
  let inQuotes = false;
  for (let i = 0; i < text.length && perLine.length < 20; i++) {
    const c = text[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (inQuotes) continue;
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      perLine.push(current);
      current = { ",": 0, ";": 0, "\t": 0 };
    } else if (c === "," || c === ";" || c === "\t") current[c]++;
  }
  if (perLine.length < 20) perLine.push(current);
  let best: { d: CsvDelimiter; lines: number; count: number } = { d: ",", lines: 0, count: 0 };
  for (const d of candidates) {
    const freq = new Map<number, number>();
    for (const line of perLine) if (line[d] > 0) freq.set(line[d], (freq.get(line[d]) ?? 0) + 1);
    for (const [count, lines] of freq) {
      if (lines > best.lines || (lines === best.lines && count > best.count))
        best = { d, lines, count };
    }
  }
  return best.d;
}

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
  /** Spaces after a closing quote, tolerated before the delimiter. */
  AfterQuote,
}

/** Push text in chunks; get completed records back. `end()` flushes and checks open quotes. */
export class CsvParser {
  private state = State.FieldStart;
  private field = "";
  private fields: string[] = [];
  private line = 1;
  private recordLine = 1;
  private fieldLine = 1;
  private skipLf = false;
  private prevCr = false;

  constructor(
    readonly delimiter: CsvDelimiter,
    private readonly maxFieldChars = MAX_FIELD_CHARS,
  ) {}

  push(text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    const d = this.delimiter;
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text[i] as string;
      if (this.skipLf) {
        this.skipLf = false;
        if (c === "\n") {
          i++;
          continue;
        }
      }
      switch (this.state) {
        case State.FieldStart:
          if (c === '"') {
            this.state = State.Quoted;
            this.fieldLine = this.line;
            this.prevCr = false;
            i++;
          } else if (c === d) {
            this.fields.push("");
            i++;
          } else if (c === "\n" || c === "\r") {
            this.fields.push("");
            this.endRecord(out, c);
            i++;
          } else {
            this.state = State.Unquoted;
          }
          break;
        case State.Unquoted: {
          let j = i;
          while (j < n) {
            const x = text[j];
            if (x === d || x === "\n" || x === "\r") break;
            j++;
          }
          this.append(text.slice(i, j));
          i = j;
          if (i < n) {
            const x = text[i] as string;
            this.fields.push(this.field);
            this.field = "";
            this.state = State.FieldStart;
            if (x !== d) this.endRecord(out, x);
            i++;
          }
          break;
        }
        case State.Quoted: {
          const q = text.indexOf('"', i);
          const j = q === -1 ? n : q;
          const part = text.slice(i, j);
          this.countLines(part);
          this.append(part);
          i = j;
          if (q !== -1) {
            this.state = State.QuoteInQuoted;
            i++;
          }
          break;
        }
        case State.QuoteInQuoted:
        case State.AfterQuote:
          if (c === '"' && this.state === State.QuoteInQuoted) {
            this.append('"');
            this.state = State.Quoted;
            i++;
          } else if (c === " ") {
            this.state = State.AfterQuote;
            i++;
          } else if (c === d) {
            this.fields.push(this.field);
            this.field = "";
            this.state = State.FieldStart;
            i++;
          } else if (c === "\n" || c === "\r") {
            this.fields.push(this.field);
            this.field = "";
            this.state = State.FieldStart;
            this.endRecord(out, c);
            i++;
          } else {
            throw new ImportError(
              "broken_quote",
              {
                id: `CSV rusak di baris ${this.line}: ada teks ${JSON.stringify(c)} setelah tanda kutip penutup (kolom yang diawali tanda kutip pada baris ${this.fieldLine}). Tanda kutip di dalam nilai harus ditulis ganda ("").`,
                en: `broken CSV at line ${this.line}: text ${JSON.stringify(c)} after a closing quote (field opened with a quote on line ${this.fieldLine}). A quote inside a value must be doubled ("").`,
              },
              this.line,
            );
          }
          break;
      }
    }
    return out;
  }

  /** Flushes the last record; throws ImportError("broken_quote") on an unclosed quote. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.state === State.Quoted) {
      throw new ImportError(
        "broken_quote",
        {
          id: `CSV rusak: tanda kutip yang dibuka di baris ${this.fieldLine} tidak pernah ditutup. Periksa baris itu; tanda kutip di dalam nilai harus ditulis ganda ("").`,
          en: `broken CSV: the quote opened on line ${this.fieldLine} is never closed. Check that line; a quote inside a value must be doubled ("").`,
        },
        this.fieldLine,
      );
    }
    if (this.state !== State.FieldStart || this.fields.length > 0) {
      // Unquoted, QuoteInQuoted or AfterQuote: the last field is complete.
      this.fields.push(this.field);
      this.field = "";
      this.state = State.FieldStart;
      out.push({ fields: this.fields, line: this.recordLine });
      this.fields = [];
    }
    return out;
  }

  private append(part: string): void {
    if (part.length === 0) return;
    if (this.field.length + part.length > this.maxFieldChars) {
      const mb = Math.round(this.maxFieldChars / (1024 * 1024));
      throw new ImportError(
        "field_too_large",
        {
          id: `nilai yang dimulai di baris ${this.fieldLine} lebih dari ${mb} MB: kemungkinan ada tanda kutip yang tidak ditutup di baris itu`,
          en: `the value starting on line ${this.fieldLine} exceeds ${mb} MB: probably a quote left open on that line`,
        },
        this.fieldLine,
      );
    }
    this.field += part;
  }

  private countLines(part: string): void {
    for (let k = 0; k < part.length; k++) {
      const x = part.charCodeAt(k);
      if (x === 10 && !this.prevCr) this.line++;
      else if (x === 13) this.line++;
      this.prevCr = x === 13;
    }
  }

  private endRecord(out: CsvRecord[], terminator: string): void {
    out.push({ fields: this.fields, line: this.recordLine });
    this.fields = [];
    this.line++;
    if (terminator === "\r") this.skipLf = true;
    this.recordLine = this.line;
    this.fieldLine = this.line;
  }
}
