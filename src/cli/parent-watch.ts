// Owns noticing that the process which started servebench went away (npx killed by a supervisor
// or `timeout`): servebench then behaves as on SIGTERM, so nothing is left running on its own.

const POLL_MS = 1000;

/**
 * Polls process.ppid; when it changes (the parent died and we were re-parented), sends this
 * process SIGTERM once: commands with a handler stop cleanly, the others end as on SIGTERM.
 * The timer is unref'd, so it never keeps the process alive.
 */
export function watchParent(pollMs = POLL_MS, kill: () => void = () => process.kill(process.pid, "SIGTERM")): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.stderr.write(`servebench: the parent process (pid ${parent}) went away: stopping as on SIGTERM\n`);
    kill();
  }, pollMs);
  timer.unref();
  return () => clearInterval(timer);
}
