// Owns redacting the CLI's own console output: every string written to stdout or stderr (progress,
// errors, warnings, help) passes through redactText, so a secret from the environment or a URL's
// userinfo never reaches a terminal log. Values are registered by whoever reads them.

import { redactText, registerSecret } from "../config/redact.js";

type Write = typeof process.stdout.write;

function wrap(stream: NodeJS.WriteStream): void {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  const redacting = (chunk: unknown, ...rest: unknown[]): boolean => original(typeof chunk === "string" ? redactText(chunk) : chunk, ...rest);
  stream.write = redacting as Write;
}

/** Installs the redacting writers once, and registers the default API key variable's value. */
export function redactConsole(env: Readonly<Record<string, string | undefined>>): void {
  registerSecret(env.OPENAI_API_KEY);
  wrap(process.stdout);
  wrap(process.stderr);
}
