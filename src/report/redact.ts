// Owns removing credentials from strings that are recorded or printed: user:password@ in URLs,
// the value after secret-named flags (--api-key sk-…) in command lines, and known secret values.
// Pure; applied where a value is first recorded (config.json, summary, env.json) and again at render.

export const REDACTED = "[redacted]";

/** Flags whose value is a credential: --api-key, --token, --hf-token, --password, --secret, … */
const SECRET_FLAG = /^(--?(?:[a-z0-9]+[-_])*(?:api[-_]?key|token|password|passwd|secret|auth|credentials?))(=.*)?$/i;

/** `http://user:pw@host/x` → `http://host/x`; anything that is not a URL with userinfo is returned as is. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, "//");
  }
  if (parsed.username === "" && parsed.password === "") return url;
  parsed.username = "";
  parsed.password = "";
  const out = parsed.toString();
  // URL adds a "/" to a bare origin; keep the caller's form.
  return url.endsWith("/") || !out.endsWith("/") || parsed.pathname !== "/" ? out : out.slice(0, -1);
}

/** Every URL with userinfo inside free text (an error message, a log line). */
export function redactUrlsIn(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s"'<>]*@/gi, "$1");
}

/** A shell-like command line with the value of every secret-named flag replaced. */
export function redactCommand(command: string): string {
  const words = command.split(/(\s+)/);
  let hideNext = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (/^\s*$/.test(word)) continue;
    if (hideNext) {
      words[i] = REDACTED;
      hideNext = false;
      continue;
    }
    const m = SECRET_FLAG.exec(word.replace(/^["']|["']$/g, ""));
    if (m === null) continue;
    if (m[2] !== undefined) words[i] = `${m[1] ?? ""}=${REDACTED}`;
    else hideNext = true;
  }
  return redactUrlsIn(words.join(""));
}

/** `text` with every occurrence of each secret (of 4+ characters) replaced. */
export function redactValues(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s !== undefined && s.length >= 4) out = out.replaceAll(s, REDACTED);
  return out;
}

/** A run config as written to disk (config.json, env.json): no credentials in URLs or the server command. */
export function redactConfig<T extends { url?: string | undefined; metricsUrl?: string | undefined; serverCmd?: string | undefined }>(config: T): T {
  const out: T = { ...config };
  if (config.url !== undefined) out.url = redactUrl(config.url);
  if (config.metricsUrl !== undefined) out.metricsUrl = redactUrl(config.metricsUrl);
  if (config.serverCmd !== undefined) out.serverCmd = redactCommand(config.serverCmd);
  return out;
}
