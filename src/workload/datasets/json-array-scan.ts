// Owns finding the elements of a top-level JSON array without parsing the whole file: ShareGPT
// files (~700 MB) exceed V8's maximum string length, so elements are located on the raw bytes
// and parsed one at a time, each with the line it starts on for error messages.

import { BenchError } from "../../errors.js";

export interface ArrayElement {
  start: number;
  end: number;
  /** 1-based line of the element's first byte. */
  line: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

/**
 * Byte ranges of the elements of the top-level array in `bytes`.
 * @example scanJsonArray(Buffer.from('[{"a":1},\n{"a":2}]'), "f.json") // two elements, lines 1 and 2
 */
export function scanJsonArray(bytes: Uint8Array, file: string): ArrayElement[] {
  const fail = (line: number, what: string): BenchError => new BenchError("E_DATASET", `${file}:${line}: ${what}`, { where: `${file}:${line}` });
  let line = 1;
  let i = skipSpace(bytes, 0, () => line++);
  if (i < bytes.length && bytes[i] === 0xef) i += 3; // UTF-8 BOM
  i = skipSpace(bytes, i, () => line++);
  if (bytes[i] !== 0x5b) throw fail(line, "expected a JSON array ([ ... ]) at the top level");
  i++;
  const elements: ArrayElement[] = [];
  for (;;) {
    i = skipSpace(bytes, i, () => line++);
    if (i >= bytes.length) throw fail(line, "the JSON array is not closed (missing ])");
    if (bytes[i] === 0x5d && elements.length === 0) return elements;
    const start = i;
    const startLine = line;
    const open: number[] = [];
    let depth = 0;
    let inString = false;
    for (; i < bytes.length; i++) {
      const b = bytes[i] as number;
      if (b === NEWLINE) line++;
      if (inString) {
        if (b === BACKSLASH) i++;
        else if (b === QUOTE) inString = false;
        continue;
      }
      if (b === QUOTE) inString = true;
      else if (b === 0x7b || b === 0x5b) {
        open.push(b);
        depth++;
      } else if (b === 0x7d || b === 0x5d) {
        if (depth === 0) break; // the array's own closing bracket ends a bare scalar element
        if (open.pop() !== b - 2) throw fail(line, `mismatched ${String.fromCharCode(b)}`); // "{" + 2 = "}", "[" + 2 = "]"
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      } else if (b === 0x2c && depth === 0) break;
    }
    if (inString || depth > 0) throw fail(startLine, "element is not closed before the end of the file");
    let end = i;
    while (end > start && isSpace(bytes[end - 1] as number)) end--; // a bare scalar ends before its whitespace
    elements.push({ start, end, line: startLine });
    i = skipSpace(bytes, i, () => line++);
    if (bytes[i] === 0x2c) {
      i++;
      continue;
    }
    if (bytes[i] === 0x5d) return elements;
    throw fail(line, "expected , or ] after an array element");
  }
}

/** Parses one element; invalid JSON is an E_DATASET error naming its line. */
export function parseElement(bytes: Uint8Array, element: ArrayElement, file: string): unknown {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + element.start, element.end - element.start).toString("utf8");
  try {
    return JSON.parse(text);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new BenchError("E_DATASET", `${file}:${element.line}: invalid JSON (${why})`, { where: `${file}:${element.line}`, cause });
  }
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d || b === NEWLINE;
}

function skipSpace(bytes: Uint8Array, from: number, onNewline: () => void): number {
  let i = from;
  for (; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === NEWLINE) onNewline();
    else if (b !== 0x20 && b !== 0x09 && b !== 0x0d) break;
  }
  return i;
}
