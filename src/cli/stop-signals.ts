// Owns which signals stop a servebench command. A terminal's Ctrl-C signals the whole foreground
// process group, and the processes `run --distributed local:N` starts are in its group: they would
// get the Ctrl-C and then their coordinator's SIGTERM, a second signal that means "quit now", and
// quit without writing what finished. Started by a coordinator (COORDINATED_ENV), a process stops
// on SIGTERM only: the coordinator turns the one Ctrl-C into one SIGTERM per shard and stops its
// simulator after the shards have written.

import { COORDINATED_ENV } from "../scale/local-distributed.js";

const ignore = (): void => {};

/** Calls `handler` on SIGTERM, and on SIGINT unless a coordinator started this process; returns the remover. */
export function onStopSignal(handler: () => void): () => void {
  const interrupt = process.env[COORDINATED_ENV] === "1" ? ignore : handler;
  process.on("SIGINT", interrupt);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", handler);
  };
}
