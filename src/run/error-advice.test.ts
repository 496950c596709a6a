import { describe, expect, it } from "vitest";
import { adviceFor, checkBaseUrl, type AdviceContext } from "./error-advice.js";

const ctx: AdviceContext = {
  baseUrl: "http://h:8000",
  endpoint: "completions",
  model: "m",
  apiKeyEnv: "OPENAI_API_KEY",
  apiKeySet: false,
  servedModels: ["m"],
};

describe("adviceFor", () => {
  it("401/403 → the API-key variable and --api-key-env, never --model", () => {
    const a = adviceFor([{ code: "http_401", httpStatus: 401, count: 3, message: "Unauthorized" }], ctx);
    expect(a).toHaveLength(1);
    expect(a[0]).toMatch(/OPENAI_API_KEY \(not set\).*--api-key-env NAME/);
    expect(a[0]).not.toMatch(/--model/);
  });

  it("a model the server does not list → the served ones", () => {
    const a = adviceFor([{ code: "http_404", httpStatus: 404, count: 1, message: "The model `x` does not exist." }], {
      ...ctx,
      model: "x",
      servedModels: ["a", "b"],
    });
    expect(a[0]).toBe('the server serves "a", "b", not "x": pass --model a (or leave --model out to use the first one)');
  });

  it("a 404 for a listed model → --url and --endpoint", () => {
    expect(adviceFor([{ code: "http_404", httpStatus: 404, count: 1, message: "Not Found" }], ctx)[0]).toMatch(
      /POST \/v1\/completions was not found.*--endpoint \(completions; the others: chat, embeddings, responses\)/,
    );
  });

  it("context overflow, connection refused, rate limiting", () => {
    expect(adviceFor([{ code: "http_400", httpStatus: 400, count: 1, message: "This model's maximum context length is 2048 tokens" }], ctx)[0]).toMatch(
      /context/,
    );
    expect(adviceFor([{ code: "connection", count: 1, message: "ECONNREFUSED: connect ECONNREFUSED" }], ctx)[0]).toMatch(/is the server running/);
    expect(adviceFor([{ code: "http_429", httpStatus: 429, count: 1, message: "slow down" }], ctx)[0]).toMatch(/rate-limited/);
  });
});

describe("checkBaseUrl", () => {
  it("refuses a URL ending in an endpoint path, naming the base URL and --endpoint", () => {
    expect(() => checkBaseUrl("http://h:8000/v1/chat/completions")).toThrow(/pass the server's base URL \(--url http:\/\/h:8000\) and --endpoint chat/);
    expect(() => checkBaseUrl("http://h:8000/proxy/v1/completions/")).toThrow(/--url http:\/\/h:8000\/proxy\) and --endpoint completions/);
    expect(() => checkBaseUrl("http://h:8000/v1")).not.toThrow();
    expect(() => checkBaseUrl("http://h:8000")).not.toThrow();
  });
});

describe("causeLine", () => {
  it("one line: counts, kinds and the server's words", async () => {
    const { causeLine } = await import("./error-advice.js");
    const level = {
      level: 2,
      requests: { sent: 5, completed: 1, errored: 4, aborted: 0, warmup: 0 },
      error_causes: [
        { code: "http_401", httpStatus: 401, count: 3, message: "Unauthorized" },
        { code: "http_404", httpStatus: 404, count: 1, message: "(empty body)" },
      ],
    } as unknown as Parameters<typeof causeLine>[0];
    expect(causeLine(level)).toBe("level 2: 4 of 5 requests failed: http_401 ×3 (Unauthorized); http_404 ×1 (empty body)");
  });
});
