import { describe, expect, it } from "vitest";
import type { ProgressEvent } from "./progress.js";
import { StartupWatch } from "./startup-watch.js";

describe("StartupWatch", () => {
  it("says what it waits for once a step is slow, and not for a quick one", async () => {
    const events: ProgressEvent[] = [];
    const watch = new StartupWatch((e) => events.push(e), new AbortController().signal, 20, 1000);
    await watch.step("quick", async () => 1);
    await watch.step("GET /v1/models", () => new Promise((r) => setTimeout(r, 200)));
    const messages = events.map((e) => (e.kind === "info" ? e.message : ""));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^still waiting for GET \/v1\/models \(\d+ s so far; Ctrl-C stops\)$/);
  });

  it("an abort ends a step that ignores the signal at once, as E_INTERRUPTED", async () => {
    const controller = new AbortController();
    const watch = new StartupWatch(() => {}, controller.signal);
    const never = watch.step("a server that never answers", () => new Promise<never>(() => {}));
    setTimeout(() => controller.abort(), 10);
    await expect(never).rejects.toMatchObject({ code: "E_INTERRUPTED", message: /a server that never answers/ });
    await expect(watch.step("next", async () => 1)).rejects.toMatchObject({ code: "E_INTERRUPTED" });
  });
});
