// Test helper: where Debian's Chromium is, and the flags every browser test launches it with.

import { existsSync } from "node:fs";

/** The Chromium binary, or undefined where none is installed (the browser tests then skip, saying so). */
export const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

/** Headless, no sandbox; without the background-networking flags Chromium tries to phone home, which this sandbox refuses. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
