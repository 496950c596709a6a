// Owns what the console says about a level's failures: the top error kinds with the server's own
// message on one line, and advice that fits them (API key, base URL, served models, context).
// Pure: summaries and facts in, lines out. Also refuses a --url that ends in an endpoint path.

import { BenchError } from "../errors.js";
import type { ErrorCause, LevelSummary } from "../metrics/level.js";
import type { Endpoint } from "../workload/request-spec.js";
import { ENDPOINT_PATHS, ENDPOINTS } from "../workload/request-spec.js";

export interface AdviceContext {
  baseUrl: string;
  endpoint: Endpoint;
  model: string;
  apiKeyEnv: string;
  apiKeySet: boolean;
  /** Model ids GET /v1/models listed, when it answered. */
  servedModels: readonly string[] | undefined;
}

const ENDPOINT_PATH = /\/(chat\/completions|completions|models|embeddings|responses)\/?$/;

/** A --url ending in an endpoint path can never work (servebench appends /v1/<endpoint>): refuse it, saying what to pass. */
export function checkBaseUrl(url: string): void {
  const parsed = new URL(url);
  const m = ENDPOINT_PATH.exec(parsed.pathname);
  if (m === null) return;
  const base = `${parsed.origin}${parsed.pathname.slice(0, m.index).replace(/\/v1$/, "")}`;
  const endpoint = m[1] === "chat/completions" ? " and --endpoint chat" : m[1] === "completions" ? " and --endpoint completions" : "";
  throw new BenchError(
    "E_BAD_URL",
    `--url ${url} ends in the endpoint path ${parsed.pathname}: pass the server's base URL (--url ${base})${endpoint}; servebench adds /v1/... itself`,
    { where: "--url" },
  );
}

/** "level 0: 3 of 3 requests failed: http_401 ×3 (Unauthorized); connection ×1 (ECONNREFUSED ...)", or undefined. */
export function causeLine(level: LevelSummary): string | undefined {
  const causes = level.error_causes ?? [];
  if (causes.length === 0) return undefined;
  const wrap = (m: string): string => (m === "" ? "" : /^\(.*\)$/.test(m) ? ` ${m}` : ` (${m})`);
  const kinds = causes.map((c) => `${c.code} ×${c.count}${wrap(c.message)}`).join("; ");
  return `level ${level.level}: ${level.requests.errored} of ${level.requests.sent} requests failed: ${kinds}`;
}

/** Advice lines for a level's failures, most useful first; empty when nothing fits. */
export function adviceFor(causes: readonly ErrorCause[], ctx: AdviceContext): string[] {
  const advice: string[] = [];
  const has = (test: (c: ErrorCause) => boolean): ErrorCause | undefined => causes.find(test);
  const auth = has((c) => c.httpStatus === 401 || c.httpStatus === 403);
  if (auth !== undefined) {
    advice.push(
      `the server refused the credentials (HTTP ${auth.httpStatus}): servebench sends the key from the environment variable ${ctx.apiKeyEnv} ` +
        `(${ctx.apiKeySet ? "set" : "not set"}); set it, or name the variable that holds the key with --api-key-env NAME`,
    );
  }
  const modelMissing = has(
    (c) =>
      (c.httpStatus === 404 || c.httpStatus === 400) && /model/i.test(c.message) && /not exist|not found|unknown|no such|not served|invalid/i.test(c.message),
  );
  const served = ctx.servedModels ?? [];
  if (served.length > 0 && !served.includes(ctx.model)) {
    advice.push(`the server serves ${listText(served)}, not "${ctx.model}": pass --model ${served[0]} (or leave --model out to use the first one)`);
  } else if (modelMissing !== undefined) {
    advice.push(
      `the server does not know the model "${ctx.model}"${served.length > 0 ? ` (it lists ${listText(served)})` : ""}: check --model against GET /v1/models`,
    );
  } else if (has((c) => c.httpStatus === 404 || c.httpStatus === 405) !== undefined) {
    const path = `/v1${ENDPOINT_PATHS[ctx.endpoint]}`;
    advice.push(
      `POST ${path} was not found (HTTP 404/405): check --url (the server's base URL) and --endpoint (${ctx.endpoint}; the others: ${ENDPOINTS.filter((e) => e !== ctx.endpoint).join(", ")})`,
    );
  }
  if (
    has((c) => /context|too long|maximum.*length|exceeds/i.test(c.message) && (c.httpStatus === 400 || c.httpStatus === 413 || c.httpStatus === 422)) !==
    undefined
  ) {
    advice.push("prompts plus output do not fit the server's context: lower --input-tokens / --output-tokens, or check the server's max_model_len");
  }
  if (has((c) => c.httpStatus !== undefined && c.httpStatus >= 300 && c.httpStatus < 400) !== undefined) {
    advice.push("the server redirects and servebench does not follow redirects: point --url at the address the Location header names");
  }
  if (has((c) => c.code === "connection" && /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|other side closed|socket/i.test(c.message)) !== undefined) {
    advice.push(`connections to ${ctx.baseUrl} failed: is the server running and listening there (check --url)?`);
  }
  if (has((c) => c.code === "http_429") !== undefined) advice.push("the server rate-limited the requests (HTTP 429): lower --concurrency or --rate");
  return advice;
}

function listText(ids: readonly string[]): string {
  const shown = ids
    .slice(0, 5)
    .map((id) => `"${id}"`)
    .join(", ");
  return ids.length > 5 ? `${shown} and ${ids.length - 5} more` : shown;
}
