// Test helper: where Debian's Chromium is, and how every browser test launches it.

import { existsSync } from "node:fs";
import { chromium, type BrowserContext } from "playwright-core";

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

/** A headless Chromium with its profile in `profileDir` (call only where CHROMIUM is defined); close the context when done. */
export function launchChromium(profileDir: string, viewport?: { width: number; height: number }): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM as string,
    headless: true,
    args: CHROMIUM_ARGS,
    ...(viewport === undefined ? {} : { viewport }),
  });
}
