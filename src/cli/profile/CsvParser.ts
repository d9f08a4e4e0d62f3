/**
 * A streaming CSV parser after RFC 4180: comma-separated fields, records ending in CRLF or
 * LF, fields in double quotes may hold commas, quotes (doubled) and line breaks. Text is
 * pushed in pieces of any size, so a large file never has to be in memory. Errors name
 * the line where the offending record starts, counted from 1.
 */
import { ErrorCodes, MlobsError } from '../../errors.js';

/** One parsed record and the line it starts on. */
export interface CsvRecord {
  /** Field values as written (quotes removed, doubled quotes undone). */
  fields: string[];
  /** 1-based line of the record's first character. */
  line: number;
}

/** Incremental RFC 4180 parser. */
export class CsvParser {
  private field = '';
  private fields: string[] = [];
  private quoted = false;
  /** Inside quotes, just saw a quote: either the closing one or the first of a doubled pair. */
  private quoteSeen = false;
  /** The field started with a quote (so text after its closing quote is an error). */
  private wasQuoted = false;
  private line = 1;
  private recordLine = 1;
  private pendingCr = false;
  private started = false;
  private fresh = true;
  private lastCr = false;

  /** @param source named in errors (file name). */
  constructor(private readonly source: string) {}

  /** Parses a piece of text; returns the records it completed. */
  push(text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let i = 0;
    if (this.fresh) {
      this.fresh = false;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c === '\n') continue;
      }
      if (this.quoted) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (c === '"') {
            this.field += '"';
            continue;
          }
          this.quoted = false;
          // fall through: c is the character after the closing quote
        } else {
          if (c === '"') this.quoteSeen = true;
          else {
            // CR, LF and CRLF are one line break each, even when split across pushes.
            if (c === '\r' || (c === '\n' && !this.lastCr)) this.line++;
            this.field += c;
          }
          this.lastCr = c === '\r';
          continue;
        }
      }
      if (c === ',') {
        this.endField();
      } else if (c === '\n' || c === '\r') {
        this.endField();
        out.push({ fields: this.fields, line: this.recordLine });
        this.fields = [];
        this.started = false;
        this.line++;
        this.recordLine = this.line;
        if (c === '\r') this.pendingCr = true;
      } else if (c === '"') {
        if (this.field !== '' || this.wasQuoted) this.fail(`a quote inside an unquoted field`);
        this.quoted = true;
        this.wasQuoted = true;
        this.started = true;
      } else {
        if (this.wasQuoted) this.fail(`text after the closing quote of a field`);
        this.field += c;
        this.started = true;
      }
    }
    return out;
  }

  /** Ends the input; returns the last record if the text did not end with a line break. */
  end(): CsvRecord[] {
    if (this.quoted && !this.quoteSeen) this.fail('a quoted field is never closed (unterminated quote)');
    this.quoted = false;
    this.quoteSeen = false;
    if (!this.started && this.fields.length === 0) return [];
    this.endField();
    const r = { fields: this.fields, line: this.recordLine };
    this.fields = [];
    return [r];
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.wasQuoted = false;
    this.started = true;
  }

  private fail(why: string): never {
    throw new MlobsError(
      ErrorCodes.MLOBS_ERR_DATA_INVALID,
      `${this.source}:${this.recordLine}: malformed CSV: ${why}`,
    );
  }
}
