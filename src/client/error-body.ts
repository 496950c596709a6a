// Owns reading the body of a non-2xx response, in every server's dialect, into one message.
// Pure and total: malformed or empty bodies still yield a message, never a throw.

import { isObject } from "./json-values.js";

export interface ErrorBody {
  message: string;
  /** The server's error class when it names one, e.g. "BadRequestError", "overloaded". */
  type?: string;
}

const MAX_MESSAGE_CHARS = 1000;

/**
 * Understands vLLM/SGLang/llama.cpp `{"error":{"message","type",...}}`, the legacy flat
 * `{"object":"error","message",...}`, TGI `{"error":"...","error_type":"..."}`, FastAPI
 * `{"detail":...}` and plain text or HTML.
 *
 * @example
 * parseErrorBody('{"error":"Model is overloaded","error_type":"overloaded"}')
 * // { message: "Model is overloaded", type: "overloaded" }
 */
export function parseErrorBody(body: string): ErrorBody {
  const trimmed = body.trim();
  if (trimmed === "") return { message: "(empty body)" };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return { message: clip(plainText(trimmed)) };
  }
  if (!isObject(value)) return { message: clip(trimmed) };

  const error = value["error"];
  if (isObject(error)) {
    return withType(messageOf(error["message"], error), error["type"] ?? value["type"]);
  }
  if (typeof error === "string") {
    return withType(clip(error), value["error_type"] ?? value["type"]);
  }
  if (typeof value["message"] === "string") {
    return withType(clip(value["message"]), value["type"]);
  }
  if (value["detail"] !== undefined) {
    return { message: messageOf(value["detail"], value["detail"]) };
  }
  return { message: clip(trimmed) };
}

/** One line for a RequestError: "<type>: <message>" when a type is known. */
export function formatErrorBody(body: ErrorBody): string {
  return body.type === undefined ? body.message : `${body.type}: ${body.message}`;
}

function withType(message: string, type: unknown): ErrorBody {
  return typeof type === "string" && type !== "" ? { message, type } : { message };
}

function messageOf(candidate: unknown, whole: unknown): string {
  if (typeof candidate === "string") return clip(candidate);
  return clip(JSON.stringify(whole) ?? String(whole));
}

/** Proxies answer with HTML pages; keep their words, drop the markup. */
function plainText(text: string): string {
  if (!text.startsWith("<")) return text;
  return text
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}
