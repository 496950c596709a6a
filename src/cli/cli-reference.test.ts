// docs/cli.md is the command tree's own reference: stale or ungrouped flags fail here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderCliReference } from "./cli-reference.js";
import { ungrouped } from "./help-groups.js";
import { buildProgram } from "./program.js";

describe("docs/cli.md", () => {
  it("equals the reference rendered from the flag definitions (regenerate: npm run docs:cli)", () => {
    const committed = readFileSync(new URL("../../docs/cli.md", import.meta.url), "utf8");
    expect(committed).toBe(renderCliReference());
  });

  it("every run and predict flag has a help group", () => {
    expect(ungrouped(buildProgram(() => undefined))).toEqual([]);
  });

  it("documents every flag of every command, with its default", () => {
    const doc = renderCliReference();
    const walk = (cmd: ReturnType<typeof buildProgram>): string[] => [
      ...cmd.options.filter((o) => !o.hidden).map((o) => o.flags),
      ...cmd.commands.flatMap(walk),
    ];
    for (const flags of buildProgram(() => undefined).commands.flatMap(walk)) expect(doc, flags).toContain(`\`${flags.replace(/\|/g, "\\|")}\``);
    expect(doc).toMatch(/\| `--out <dir>` \| report directory \| `report` \|/);
  });
});
