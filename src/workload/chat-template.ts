// Owns counting a chat request's prompt tokens the way the server does: render the model's
// chat_template (tokenizer_config.json) with @huggingface/jinja, then tokenize the result without
// adding special tokens (the template writes them), as vLLM does for /v1/chat/completions.

import { Template } from "@huggingface/jinja";
import { BenchError } from "../errors.js";
import type { ChatMessage } from "./request-spec.js";
import type { TextTokenizer } from "./tokenizer.js";

/** How input tokens are counted; recorded in the summary's run info. */
export type PromptCountMethod =
  | "tokenizer" // completions: client tokenizer + the special tokens its post-processor adds
  | "chat-template" // chat: rendered chat_template, tokenized
  | "server-tokenize" // chat or completions: the server's POST /tokenize
  | "message-contents"; // chat without a template: contents only (the server adds its template)

/** Counts what the server will report as usage.prompt_tokens, when that can be known. */
export interface PromptCounter {
  readonly method: PromptCountMethod;
  completion(prompt: string): number;
  chat(messages: readonly ChatMessage[]): number;
  /** Tokens a chat request has beyond its message contents, for these roles (0 without a template). */
  chatOverhead(roles: readonly ChatMessage["role"][]): number;
}

/**
 * A counter for `tokenizer`: with `template` "tokenizer" (or "auto") and a chat_template present,
 * chat prompts are template-exact; otherwise chat counts message contents only.
 * @example
 * const counter = createPromptCounter(tokenizer, "auto");
 * counter.chat([{ role: "user", content: "Hi" }]); // 10 for Qwen3: <|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n
 */
export function createPromptCounter(tokenizer: TextTokenizer, template: "auto" | "tokenizer" | "none"): PromptCounter {
  const completion = (prompt: string): number => tokenizer.count(prompt) + tokenizer.specialTokensAdded;
  const source = template === "none" ? undefined : tokenizer.chatTemplate;
  if (source === undefined) {
    if (template === "tokenizer") {
      throw new BenchError("E_TOKENIZER", `tokenizer "${tokenizer.name}" has no chat_template in tokenizer_config.json`, {
        where: "chatTemplate",
      });
    }
    return {
      method: "message-contents",
      completion,
      // Counted one by one: a template separates messages with special tokens, so no merge spans two.
      chat: (messages) => messages.reduce((sum, m) => sum + tokenizer.count(m.content), 0),
      chatOverhead: () => 0,
    };
  }
  const render = createTemplateRenderer(tokenizer, source);
  const chat = (messages: readonly ChatMessage[]): number => tokenizer.countWithSpecialText(render(messages));
  const overheads = new Map<string, number>();
  return {
    method: "chat-template",
    completion,
    chat,
    chatOverhead: (roles) => {
      const key = roles.join(",");
      let value = overheads.get(key);
      if (value === undefined) {
        value = chat(roles.map((role) => ({ role, content: "" })));
        overheads.set(key, value);
      }
      return value;
    },
  };
}

/** Renders messages with the generation prompt, as a server does before tokenizing. */
export function createTemplateRenderer(tokenizer: TextTokenizer, source: string): (messages: readonly ChatMessage[]) => string {
  let template: Template;
  try {
    template = new Template(source);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new BenchError("E_TOKENIZER", `tokenizer "${tokenizer.name}": chat_template does not parse: ${why}`, { where: "chatTemplate", cause });
  }
  return (messages) => {
    try {
      return template.render({
        ...tokenizer.templateTokens,
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        add_generation_prompt: true,
      });
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new BenchError("E_TOKENIZER", `tokenizer "${tokenizer.name}": chat_template failed to render: ${why}`, { where: "chatTemplate", cause });
    }
  };
}
