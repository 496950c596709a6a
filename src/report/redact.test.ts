// Redaction of credentials in URLs, command lines and free text.
import { describe, expect, it } from "vitest";
import { redactCommand, redactUrl, redactUrlsIn, redactValues } from "./redact.js";

describe("redact", () => {
  it("drops userinfo from URLs and keeps the rest", () => {
    expect(redactUrl("http://alice:pa55@127.0.0.1:8000")).toBe("http://127.0.0.1:8000");
    expect(redactUrl("https://tok@example.com/v1")).toBe("https://example.com/v1");
    expect(redactUrl("http://127.0.0.1:8000/")).toBe("http://127.0.0.1:8000/");
    expect(redactUrl("http://127.0.0.1:8000")).toBe("http://127.0.0.1:8000");
    expect(redactUrlsIn("cannot reach http://a:b@h:1/v1/models (ECONNREFUSED)")).toBe("cannot reach http://h:1/v1/models (ECONNREFUSED)");
  });

  it("hides the value of secret-named flags in command lines", () => {
    expect(redactCommand("vllm serve m --api-key sk-123456 --port 8000")).toBe("vllm serve m --api-key [redacted] --port 8000");
    expect(redactCommand("x --api-key=sk-1 --hf-token hf_abc --max-tokens 5 --tokenizer t")).toBe("x --api-key=[redacted] --hf-token [redacted] --max-tokens 5 --tokenizer t");
    expect(redactCommand("curl http://u:p@h/")).toBe("curl http://h/");
  });

  it("replaces known secret values", () => {
    expect(redactValues("key sk-abcdef echoed", ["sk-abcdef", undefined, ""])).toBe("key [redacted] echoed");
  });
});
