// What the harness knows of the project itself: where it is, the settings it
// shares with wrangler.toml (read from there, never copied), and the constants
// that mirror the Rust code's, kept here once for every test and benchmark.

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The runtime behaviour the worker is built against: wrangler.toml's `compatibility_date`. */
export const COMPATIBILITY_DATE = (() => {
  const toml = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
  const date = toml.match(/^compatibility_date\s*=\s*"([^"]+)"/m)?.[1];
  if (date === undefined) throw new Error("wrangler.toml has no compatibility_date");
  return date;
})();

/**
 * Push mode's queue stops its producer at this many waiting values (the
 * summary's `maxQueue` of a capped run). Mirrors `PUSH_CAP_VALUES` in
 * src/stream/params.rs; change both together.
 */
export const PUSH_CAP_VALUES = 100_000;
