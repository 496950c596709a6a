// Owns redaction: values that came from the environment (`${env:…}`, the API key variable) and
// secret-shaped parts of text (URL userinfo, URL query parameters and command-line flags or keys
// named like key/token/secret/password, `Bearer …`) become "[redacted]" before anything is written
// to a file, a log line or a manifest. Pure text in, text out; never throws.

export const REDACTED = "[redacted]";

/** Words that make a flag, query parameter or key name a secret (the last part of the name). */
const SECRET_WORDS: ReadonlySet<string> = new Set([
  "key",
  "apikey",
  "token",
  "secret",
  "password",
  "passwd",
  "pwd",
  "auth",
  "authorization",
  "credential",
  "credentials",
  "cookie",
  "bearer",
  "signature",
  "sig",
]);

/** Words that make a name a count of tokens, not a credential (`joules_per_output_token`, `max_token`). */
const COUNTING_WORDS: ReadonlySet<string> = new Set(["per", "output", "input", "prompt", "completion", "max", "min", "num", "total", "reasoning", "cached"]);

/** servebench's own flags that name a Kubernetes Secret (the name is not secret). */
const SECRET_REFERENCES: ReadonlySet<string> = new Set(["api_key_secret", "s3_secret", "api_key_env"]);

/** `apiKey`, `api-key`, `X-Api-Key`, `hf_token`, `clientSecret` → true; `max_tokens`, `tokenizer`, `api-key-env` → false. */
export function isSecretName(name: string): boolean {
  const parts = name
    .replace(/^-+/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[-_.\s]+/)
    .filter((p) => p !== "");
  const last = parts[parts.length - 1];
  if (last === "token" && parts.some((p) => COUNTING_WORDS.has(p))) return false;
  return last !== undefined && SECRET_WORDS.has(last) && !SECRET_REFERENCES.has(parts.join("_"));
}

/** Secret values known to this process (from the environment), with their escaped spellings. */
const knownValues = new Set<string>();

const htmlEscape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

/**
 * Remembers a value that came from the environment so every later write redacts it. Short or
 * purely numeric values (a port, a GPU count) are not secrets and would corrupt numbers if
 * replaced, so they are left alone.
 */
export function registerSecret(value: string | undefined): void {
  if (value === undefined || value.length < 6 || /^[\d.:-]+$/.test(value)) return;
  for (const spelling of [value, JSON.stringify(value).slice(1, -1), htmlEscape(value), encodeURIComponent(value)]) knownValues.add(spelling);
  sortedValues = undefined;
}

/** Forgets every registered value (tests). */
export function clearSecrets(): void {
  knownValues.clear();
  sortedValues = undefined;
}

let sortedValues: string[] | undefined;

function replaceKnown(text: string): string {
  if (knownValues.size === 0) return text;
  // Longest first, so a value containing another is replaced whole.
  sortedValues ??= [...knownValues].sort((a, b) => b.length - a.length);
  let out = text;
  for (const value of sortedValues) if (out.includes(value)) out = out.split(value).join(REDACTED);
  return out;
}

const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]+@/i;
const QUERY_PARAM = /([?&;]|&amp;)([^=&#;\s]+)=([^&#;\s]*)/g;

/** `http://u:p@h/x?token=abc&n=1` → `http://[redacted]@h/x?token=[redacted]&n=1`. */
export function redactUrl(url: string): string {
  return url
    .replace(USERINFO, `$1${REDACTED}@`)
    .replace(QUERY_PARAM, (whole, sep: string, name: string, value: string) =>
      isSecretName(decodeSafe(name)) && !isReference(value) ? `${sep}${name}=${REDACTED}` : whole,
    );
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// `--api-key sk-1`, `--api-key=sk-1`, `"--api-key", "sk-1"` (JSON/YAML lists); not `<name>` in help text.
const FLAG_VALUE = /(?<![\w-])(--?[A-Za-z][\w-]*)((?:=|\s+|["']?\s*,\s*["']?))(?![<[\-])("[^"]*"|'[^']*'|\$\{[^}\s]*\}|[^\s"',\]]+)/g;
// A YAML block list: `- --api-key` on one line, `- sk-1` on the next.
const BLOCK_FLAG_VALUE = /^([ \t]*-[ \t]+(["']?)(--?[A-Za-z][\w-]*)\2[ \t]*\r?\n[ \t]*-[ \t]+)(?!["']?-)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s#]+)/gm;
// `"apiKey": "x"` (JSON), `apiKey: x` at a line start or in a `{ … }` flow map (YAML), `HF_TOKEN=x`
// (an environment assignment). Prose such as "NAME_KEY: is not set" is left alone.
// A value that opens a list or a map is not one: `env: { HF_TOKEN: x }` leaves `{` for its first key.
const VALUE = `("(?:[^"\\\\]|\\\\.)*"|'[^']*'|\\$\\{[^}\\s]*\\}|[^\\s,}\\]"'#]+)`;
const QUOTED_KEY = new RegExp(`(["'])([A-Za-z][\\w-]*)\\1(\\s*:\\s*)(?![[{])${VALUE}`, "g");
const YAML_KEY = new RegExp(`(^[ \\t]*(?:-[ \\t]+)?|[{,][ \\t]*)([A-Za-z][\\w-]*)(:[ \\t]+)(?![[{])${VALUE}`, "gm");
const ENV_ASSIGN = /(?<![\w-])([A-Za-z][\w]*)(=)(?!\[)([^\s&"',;]+)/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/g;

/** Redacts every secret this module can recognise in `text` (a file's content, a log line). */
export function redactText(text: string): string {
  let out = replaceKnown(text);
  out = out.replace(URL_PATTERN, redactUrl);
  out = out.replace(BEARER, `$1 ${REDACTED}`);
  out = out.replace(FLAG_VALUE, (whole, flag: string, sep: string, value: string) =>
    isSecretName(flag) && !isKept(value) ? `${flag}${sep}${quoteLike(value)}` : whole,
  );
  out = out.replace(BLOCK_FLAG_VALUE, (whole, lead: string, _q: string, flag: string, value: string) =>
    isSecretName(flag) && !isKept(value) ? `${lead}${quoteLike(value)}` : whole,
  );
  // A JSON number or literal is never a credential (and replacing it would break the JSON).
  const secretValue = (key: string, value: string): boolean =>
    isSecretName(key) && !isKept(value) && !/^(null|true|false|-?\d+(\.\d+)?([eE][+-]?\d+)?)$/.test(value);
  out = out.replace(QUOTED_KEY, (whole, q: string, key: string, sep: string, value: string) =>
    secretValue(key, value) ? `${q}${key}${q}${sep}${quoteLike(value)}` : whole,
  );
  out = out.replace(YAML_KEY, (whole, lead: string, key: string, sep: string, value: string) =>
    secretValue(key, value) ? `${lead}${key}${sep}${quoteLike(value)}` : whole,
  );
  out = out.replace(ENV_ASSIGN, (whole, key: string, sep: string, value: string) => (isSecretName(key) && !isKept(value) ? `${key}${sep}${REDACTED}` : whole));
  return out;
}

const isRedacted = (value: string): boolean => value.replace(/^["']|["']$/g, "") === REDACTED;

/**
 * `${env:NAME}` or `${name}` (a plan's reference, no `:-default`) names where a value comes from
 * and is never the value: kept as written, so a plan's saved copy still resumes with it.
 */
const isReference = (value: string): boolean => /^["']?\$\{\s*(?:env:)?[A-Za-z_]\w*\s*\}["']?$/.test(value);

const isKept = (value: string): boolean => isRedacted(value) || isReference(value);

const quoteLike = (value: string): string => {
  const q = value[0];
  return q === '"' || q === "'" ? `${q}${REDACTED}${q}` : REDACTED;
};

/** Redacts a command line given as an argv list: the value after (or in) a secret-named flag, URLs, known values. */
export function redactArgv(argv: readonly string[]): string[] {
  return argv.map((arg, i) => {
    const previous = argv[i - 1];
    if (previous !== undefined && /^--?[A-Za-z]/.test(previous) && !previous.includes("=") && isSecretName(previous) && !isReference(arg)) return REDACTED;
    return redactText(arg);
  });
}

/** Deep copy of a JSON-like value with every string redacted (numbers are never touched). */
export function redactJson<T>(value: T): T {
  if (typeof value === "string") return redactText(value) as T;
  if (Array.isArray(value)) {
    // A list of strings may be an argv: the value after `--api-key` is a secret.
    const strings = value.map((v: unknown) => (typeof v === "string" ? v : ""));
    const asArgv = redactArgv(strings);
    return value.map((v: unknown, i) => (typeof v === "string" ? asArgv[i] : redactJson(v))) as T;
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = typeof v === "string" && isSecretName(k) && v !== "" && !isReference(v) ? REDACTED : redactJson(v);
    return out as T;
  }
  return value;
}

/**
 * `http://u:p@h/x` → `http://h/x`: the URL to connect to. Requests go to the URL's origin, so
 * userinfo is never sent; dropping it at once keeps it out of every message and file too.
 */
export function withoutUserinfo(url: string): string {
  return url.replace(USERINFO, "$1");
}
