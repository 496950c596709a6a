// Owns the vllm.rs dialect: axum framing (`data:`), ids `seq-N`, `created` in milliseconds, an
// `error` field on every choice, usage inside the final chunk, errors mid-stream sent as raw text,
// and no Prometheus /metrics (404).

import { MetricsBase } from "../prom-text.js";
import type { WireError } from "../vllm-wire.js";
import { json } from "./dialect.js";
import type { Dialect, HttpReply } from "./dialect.js";

const ev = (v: unknown): string => `data:${JSON.stringify(v)}\n\n`;
const usageOf = (p: number, c: number) => ({ prompt_tokens: p, completion_tokens: c, total_tokens: p + c });

class NoMetrics extends MetricsBase {
  render(): string {
    return "";
  }
}

export const vllmRs: Dialect = {
  name: "vllm-rs",
  sseContentType: "text/event-stream",
  checksModel: false,
  ids: (_endpoint, model, seq) => ({ id: `seq-${seq}`, created: Date.now(), model, systemFingerprint: "" }),
  stream(endpoint, ids) {
    const object = endpoint === "chat" ? "chat.completion.chunk" : "text_completion";
    let finish: string | null = null;
    const chunk = (choice: Record<string, unknown>, usage: unknown): string =>
      ev({ id: ids.id, object, created: ids.created, model: ids.model, choices: [{ index: 0, ...choice, error: null }], usage });
    const piece = (t: string): Record<string, unknown> => (endpoint === "chat" ? { delta: { content: t } } : { text: t });
    return {
      output(t, first, f) {
        if (f !== null) finish = f;
        let out = first && endpoint === "chat" ? chunk({ delta: { role: "assistant" }, finish_reason: null }, null) : "";
        if (t !== "") out += chunk({ ...piece(t), finish_reason: null }, null);
        return out;
      },
      end: (p, c) => chunk({ ...(endpoint === "chat" ? { delta: {} } : { text: "" }), finish_reason: finish }, usageOf(p, c)) + "data:[DONE]\n\n",
      error: (message) => `data:${message.replace(/\n/g, " ")}\n\n`,
    };
  },
  body(endpoint, ids, t, finish, p, c) {
    const choice =
      endpoint === "chat" ? { index: 0, message: { role: "assistant", content: t }, finish_reason: finish } : { index: 0, text: t, finish_reason: finish };
    return JSON.stringify({
      id: ids.id,
      object: endpoint === "chat" ? "chat.completion" : "text_completion",
      created: ids.created,
      model: ids.model,
      choices: [choice],
      usage: usageOf(p, c),
    });
  },
  error: (e: WireError): HttpReply => json(e.status, { error: { message: e.message, code: e.status } }),
  route(path, view): HttpReply | undefined {
    if (path === "/health") return view.ready ? json(200, { status: "ok" }) : json(503, { status: "loading" });
    if (path === "/v1/models") return json(200, { object: "list", data: [{ id: view.model, object: "model", created: view.createdS, owned_by: "vllm-rs" }] });
    return undefined;
  },
  loading: (path) => (path === "/health" ? json(503, { status: "loading" }) : undefined),
  createMetrics: () => new NoMetrics(),
};
