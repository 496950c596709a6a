// Owns a small RFC 4180 CSV reader (quoted fields, "" escapes, newlines inside quotes, CRLF) that
// keeps each record's starting line for error messages. No dependency: datasets need only this.

import { BenchError } from "../../errors.js";

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  cells: string[];
}

/**
 * Parses CSV text into records (blank lines skipped). Throws E_DATASET naming `file:line` for an
 * unterminated quote or text after a closing quote.
 * @example parseCsv('prompt,output_tokens\n"Hi, there",16\n', "d.csv") // [{line:1,…},{line:2, cells:["Hi, there","16"]}]
 */
export function parseCsv(text: string, file: string, delimiter = ","): CsvRecord[] {
  const records: CsvRecord[] = [];
  const src = text.replace(/^\uFEFF/, "");
  let line = 1;
  let i = 0;
  while (i < src.length) {
    const startLine = line;
    const cells: string[] = [];
    let atRecordEnd = false;
    while (!atRecordEnd) {
      let cell = "";
      if (src[i] === '"') {
        i++;
        for (;;) {
          if (i >= src.length) {
            throw new BenchError("E_DATASET", `${file}:${startLine}: unterminated quoted field`, { where: `${file}:${startLine}` });
          }
          const ch = src[i] as string;
          if (ch === '"') {
            if (src[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === "\n") line++;
          cell += ch;
          i++;
        }
        const next = src[i];
        if (next !== undefined && next !== delimiter && next !== "\n" && next !== "\r") {
          throw new BenchError("E_DATASET", `${file}:${line}: unexpected text after a closing quote`, { where: `${file}:${line}` });
        }
      } else {
        while (i < src.length && src[i] !== delimiter && src[i] !== "\n" && src[i] !== "\r") cell += src[i++];
      }
      cells.push(cell);
      if (src[i] === delimiter) {
        i++;
        continue;
      }
      if (src[i] === "\r") i++;
      if (src[i] === "\n") {
        i++;
        line++;
      }
      atRecordEnd = true;
    }
    if (!(cells.length === 1 && cells[0] === "")) records.push({ line: startLine, cells });
  }
  return records;
}
