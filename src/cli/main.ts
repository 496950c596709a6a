#!/usr/bin/env node
// Owns the servebench command line: parses arguments, runs commands, maps outcomes to exit
// codes. The only module that calls process.exit.

import { CommanderError } from "commander";
import { isBenchError, type BenchErrorCode } from "../errors.js";
import { watchParent } from "./parent-watch.js";
import { EXIT, EXIT_OF_ERROR } from "./exit-codes.js";
import { buildProgram } from "./program.js";
import { redactConsole } from "./redact-console.js";

export async function main(argv: readonly string[]): Promise<number> {
  redactConsole(process.env);
  let exitCode: number = EXIT.ok;
  const program = buildProgram((code) => (exitCode = code));
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every usage error (unknown flag, bad choice) is bad input.
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    if (isBenchError(error)) {
      process.stderr.write(`servebench: ${error.message}\n`);
      return exitCodeOfError(error.code);
    }
    process.stderr.write(`servebench: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.crash;
  }
}

/** A set-up error's exit code (the table in exit-codes.ts). */
export function exitCodeOfError(code: BenchErrorCode): number {
  return EXIT_OF_ERROR[code];
}

watchParent();
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`servebench: internal error: ${String(error)}\n`);
    process.exit(EXIT.crash);
  },
);
