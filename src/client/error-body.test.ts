import { describe, expect, it } from "vitest";
import { readWireFixture } from "../../test/helpers/wire-server.js";
import { formatErrorBody, parseErrorBody } from "./error-body.js";

const fixture = (name: string): string => readWireFixture(name).toString("utf8");

describe("parseErrorBody on every dialect's fixture", () => {
  const cases: Array<[string, string, string | undefined]> = [
    ["vllm-error-400-context-length.json", "This model's maximum context length is 40960 tokens.", "BadRequestError"],
    ["vllm-error-404-model.json", "The model `gpt-4o` does not exist.", "NotFoundError"],
    ["vllm-error-legacy-flat-400.json", "This model's maximum context length is 40960 tokens.", "BadRequestError"],
    ["sglang-error-400-context-length.json", "Requested token count exceeds", "BadRequestError"],
    ["sglang-error-legacy-flat-400.json", "The input (41000 tokens) is longer", "BadRequestError"],
    ["tgi-error-422-validation.json", "Input validation error:", "validation"],
    ["tgi-error-429-overloaded.json", "Model is overloaded", "overloaded"],
    ["llamacpp-error-400-context.json", "request (8500 tokens) exceeds the available context size", "exceed_context_size_error"],
    ["llamacpp-error-503-loading.json", "Loading model", "unavailable_error"],
    ["llamacpp-error-501-metrics-disabled.json", "This server does not support metrics endpoint.", "not_supported_error"],
  ];
  for (const [name, messageStart, type] of cases) {
    it(name, () => {
      const parsed = parseErrorBody(fixture(name));
      expect(parsed.message.startsWith(messageStart)).toBe(true);
      expect(parsed.type).toBe(type);
    });
  }
});

describe("parseErrorBody", () => {
  it("keeps plain text, strips HTML, and names an empty body", () => {
    expect(parseErrorBody("Internal Server Error\n")).toEqual({ message: "Internal Server Error" });
    expect(parseErrorBody("<html><head><style>x{}</style></head><body><h1>502 Bad Gateway</h1></body></html>")).toEqual({
      message: "502 Bad Gateway",
    });
    expect(parseErrorBody("  ")).toEqual({ message: "(empty body)" });
  });

  it("reads FastAPI detail and falls back to the JSON text", () => {
    expect(parseErrorBody('{"detail":"Not Found"}')).toEqual({ message: "Not Found" });
    expect(parseErrorBody('{"detail":[{"loc":["body","model"]}]}').message).toContain("loc");
    expect(parseErrorBody('{"weird":1}')).toEqual({ message: '{"weird":1}' });
    expect(parseErrorBody("[1,2]")).toEqual({ message: "[1,2]" });
  });

  it("clips very long messages", () => {
    expect(parseErrorBody("x".repeat(100_000)).message.length).toBeLessThanOrEqual(1001);
  });

  it("formats type and message on one line", () => {
    expect(formatErrorBody({ message: "Model is overloaded", type: "overloaded" })).toBe("overloaded: Model is overloaded");
    expect(formatErrorBody({ message: "plain" })).toBe("plain");
  });
});
