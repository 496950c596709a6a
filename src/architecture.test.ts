// The import graph of src/ as docs/development.md draws it: no module reaches itself through its
// imports (type-only imports included: a type cycle is a design cycle), and the edges the layering
// forbids are absent. Reads the sources, so a new cycle or back-edge fails here, named.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = dirname(fileURLToPath(import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !e.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Module (path relative to src/) → the src modules it imports or re-exports from. */
function importGraph(): Map<string, string[]> {
  const files = sources(SRC);
  const known = new Set(files.map((f) => relative(SRC, f)));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const targets = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"(\.{1,2}\/[^"]+)"/gms)]
      .map((m) => relative(SRC, resolve(dirname(file), m[1] ?? "")).replace(/\.js$/, ".ts"))
      .filter((t) => known.has(t));
    graph.set(relative(SRC, file), [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components of more than one module (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string | undefined;
    do {
      w = stack.pop();
      if (w === undefined) break;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const folderOf = (module: string): string => (module.includes("/") ? (module.split("/")[0] ?? "") : ".");

describe("src import graph", () => {
  const graph = importGraph();

  it("has no cycles, type-only imports included", () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(cycles(graph)).toEqual([]);
  });

  it("finds a cycle when there is one (the check itself)", () => {
    const looped = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", ["a.ts"]],
    ]);
    expect(cycles(looped)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });

  // from → folders it must never import (docs/development.md, "Layout").
  const forbidden: Record<string, string[]> = {
    load: ["client", "run", "cli"], // the scheduler owns its Dispatch type; the client plugs into it
    sim: ["client", "run", "cli"], // an SSE bug must not hide by being on both sides
    client: ["run", "cli", "report"],
    config: ["workload", "run", "cli"], // the schemas are the source; the workload reads them
    report: ["scale", "run", "cli"],
    results: ["report", "run", "cli", "scale"],
    metrics: ["run", "cli", "report"], // metrics read records (client → metrics), never the renderers
  };
  it.each(Object.entries(forbidden))("%s imports none of its forbidden folders", (from, banned) => {
    const edges = [...graph].flatMap(([module, targets]) =>
      folderOf(module) === from ? targets.filter((t) => banned.includes(folderOf(t))).map((t) => `${module} → ${t}`) : [],
    );
    expect(edges).toEqual([]);
  });

  it("only the public index reaches into folders from the top level", () => {
    const topLevel = [...graph].filter(([module, targets]) => folderOf(module) === "." && module !== "index.ts" && targets.some((t) => folderOf(t) !== "."));
    expect(topLevel.map(([m]) => m)).toEqual([]);
  });
});

// sim/ and workload/ are used by plan files and the library as much as by the command line: their
// errors name config fields (`tp`, `inputTokens`), and src/cli/field-flags.ts spells them as flags.
/** Every string or template literal of a source text that spells a --flag, as "line: text" (comments and `--x` decrements are not literals). */
function flagLiterals(text: string): string[] {
  const source = ts.createSourceFile("module.ts", text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) && /(^|[^\w-])--[a-z]/.test(node.text)) {
      found.push(`${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("core vocabulary", () => {
  it("sim/ and workload/ spell no command-line flag in their strings (messages, where)", () => {
    const files = [...sources(join(SRC, "sim")), ...sources(join(SRC, "workload"))];
    expect(files.length).toBeGreaterThan(30);
    expect(files.flatMap((f) => flagLiterals(readFileSync(f, "utf8")).map((hit) => `${relative(SRC, f)}:${hit}`))).toEqual([]);
  });

  it("finds a flag in a thrown message or a where (the check itself)", () => {
    const text = 'throw new BenchError("E_BAD_FLAG", `--tp ${tp}: bad`, { where: "--tp" });\nx = --y; // --comment\nok("`tp`", "a--b");';
    expect(flagLiterals(text)).toEqual(["1: --tp ", "1: --tp"]);
  });
});
