import { describe, expect, it } from "vitest";
import { RefusalStop } from "./refusal-stop.js";

describe("RefusalStop", () => {
  it("ends a level whose every request so far was refused, after enough of them", () => {
    const r = new RefusalStop({ refusalsToStop: 5 });
    for (let i = 0; i < 4; i++) r.noted(401, false, "Invalid API key provided\n  details");
    expect(r.verdict()).toBeUndefined();
    r.noted(401, false);
    expect(r.verdict()).toBe(
      "the server refused all 5 requests of the level so far (HTTP 401: Invalid API key provided); ended early rather than send more that cannot succeed",
    );
  });

  it("never ends a level that had a success, or on overload answers (429, 5xx) or failed connections", () => {
    const succeeded = new RefusalStop({ refusalsToStop: 3 });
    succeeded.noted(undefined, true);
    for (let i = 0; i < 10; i++) succeeded.noted(404, false);
    expect(succeeded.verdict()).toBeUndefined();
    const overloaded = new RefusalStop({ refusalsToStop: 3 });
    for (const status of [429, 500, 503, 429, 500, 503]) overloaded.noted(status, false);
    overloaded.noted(undefined, false); // a connection failure: ConnectionBackoff's business
    expect(overloaded.verdict()).toBeUndefined();
  });

  it("counts refusals in a row: anything else in between starts the count again", () => {
    const r = new RefusalStop({ refusalsToStop: 3 });
    r.noted(404, false);
    r.noted(404, false);
    r.noted(500, false);
    r.noted(404, false);
    expect(r.verdict()).toBeUndefined();
    r.noted(403, false);
    r.noted(405, false);
    expect(r.verdict()).toMatch(/^the server refused all 3 requests .*\(HTTP 404\)/);
  });
});
