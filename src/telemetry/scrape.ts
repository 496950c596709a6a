// Owns the type of one /metrics scrape as the scraper records it and metrics.jsonl stores it.
// Types only, so the scraper and the metrics.jsonl writer depend on it, not on each other.

import type { CanonicalSnapshot } from "./normalize.js";

export type Scrape = { ok: true; tMs: number; durationMs: number; snapshot: CanonicalSnapshot } | { ok: false; tMs: number; durationMs: number; error: string };
