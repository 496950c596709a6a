// Owns escaping of every string that came from a server, a model, a file or a flag before it
// reaches HTML, SVG or Markdown. Renderers never interpolate data without going through here.

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * Escapes text for HTML/SVG element content *and* quoted attribute values.
 * Also drops C0 control characters that XML (and so SVG rasterisers) reject.
 * @example escapeHtml('<script>alert(1)</script>') // "&lt;script&gt;alert(1)&lt;/script&gt;"
 */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
    .replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

// Terminal escape sequences (CSI `ESC [ … final`, OSC `ESC ] … BEL|ST`, two-byte `ESC x`), then any
// other C0/C1 control byte except tab and newline, and the bidirectional overrides that make text
// display differently from what it is.
const ESCAPE_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]?|\u009b[0-?]*[ -/]*[@-~]/g;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from a server or a file with terminal escapes and control bytes removed (tab and newline
 * kept), safe to print to a terminal or put in Markdown.
 * @example stripControls("m\u001b[31mred") // "mred"
 */
export function stripControls(value: unknown): string {
  return String(value).replace(ESCAPE_SEQUENCE, "").replace(CONTROL, "");
}

/**
 * Markdown free text with control bytes stripped and inline HTML neutralised: a `<` that could
 * open a tag, comment or declaration (CommonMark raw HTML) becomes `&lt;`; `<=` and `a < b` stay readable.
 */
export function mdText(value: unknown): string {
  return stripControls(value).replace(/<(?=[A-Za-z/!?])/g, "&lt;");
}

/** One Markdown table cell (or heading): pipes escaped, newlines flattened, inline HTML neutralised. */
export function mdCell(value: unknown): string {
  return mdText(String(value).replace(/\r?\n|\r/g, " ").replace(/\|/g, "\\|"));
}

/** Text inside a Markdown code span: no backticks or newlines to break out of it. */
export function mdCode(value: unknown): string {
  return `\`${mdCell(value).replace(/`/g, "'")}\``;
}

/** A CSV field: quoted when it holds a delimiter, quote or newline. */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) return "";
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(Number(value.toFixed(6))) : "") : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A file-name-safe slug: lower-case ASCII letters, digits and dashes, at most 60 characters. */
export function slug(value: string): string {
  const s = value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return s === "" ? "x" : s;
}
