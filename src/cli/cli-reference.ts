// Owns docs/cli.md: the command-line reference, rendered from the very command tree that parses
// the flags (program.ts), so a flag and its documentation cannot disagree (cli-reference.test.ts).

import type { Argument, Command, Option } from "commander";
import { buildProgram } from "./program.js";

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

function defaultOf(o: Option): string {
  if (o.defaultValueDescription !== undefined) return o.defaultValueDescription;
  if (o.defaultValue === undefined || o.negate) return "";
  return typeof o.defaultValue === "string" ? o.defaultValue : JSON.stringify(o.defaultValue);
}

function optionRow(o: Option): string {
  const choices = o.argChoices === undefined ? "" : ` (one of ${o.argChoices.map((c) => `\`${c}\``).join(", ")})`;
  const d = defaultOf(o);
  return `| \`${cell(o.flags)}\` | ${cell(o.description)}${choices} | ${d === "" ? "" : `\`${cell(d)}\``} |`;
}

function usage(cmd: Command, path: string): string {
  const args = (cmd.registeredArguments as readonly Argument[]).map((a) =>
    a.required ? `<${a.name()}${a.variadic ? "..." : ""}>` : `[${a.name()}${a.variadic ? "..." : ""}]`,
  );
  return [`servebench ${path}`, cmd.options.length > 0 ? "[options]" : "", ...args].filter(Boolean).join(" ");
}

function commandSection(cmd: Command, path: string, depth: number): string[] {
  const out: string[] = [`${"#".repeat(depth)} \`servebench ${path}\``, "", cell(cmd.description()), "", "```", usage(cmd, path), "```", ""];
  const args = cmd.registeredArguments as readonly Argument[];
  if (args.length > 0) {
    out.push("| Argument | What |", "|---|---|");
    for (const a of args) out.push(`| \`${a.name()}\` | ${cell(a.description)} |`);
    out.push("");
  }
  const options = cmd.options.filter((o) => !o.hidden);
  const groups: string[] = [];
  for (const o of options) {
    const group = o.helpGroupHeading ?? "Options:";
    if (!groups.includes(group)) groups.push(group);
  }
  for (const group of groups) {
    if (groups.length > 1) out.push(`**${group.replace(/:$/, "")}**`, "");
    out.push("| Flag | What | Default |", "|---|---|---|");
    for (const o of options.filter((x) => (x.helpGroupHeading ?? "Options:") === group)) out.push(optionRow(o));
    out.push("");
  }
  for (const sub of cmd.commands) out.push(...commandSection(sub, `${path} ${sub.name()}`, depth + 1));
  return out;
}

/** docs/cli.md as the current command tree defines it. */
export function renderCliReference(program: Command = buildProgram(() => undefined)): string {
  const lines = [
    "# servebench command-line reference",
    "",
    "Generated from the flag definitions (`npm run docs:cli` rewrites it; a test fails when it is stale).",
    'Every command also prints this with `--help`, grouped the same way. Exit codes: README, "Exit codes".',
    "",
  ];
  for (const cmd of program.commands) lines.push(...commandSection(cmd, cmd.name(), 2));
  return `${lines
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}
