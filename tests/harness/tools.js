// The tools outside Node that tests and benchmarks run: wrangler, kept
// offline (no telemetry, no `request.cf` download), its dry-run deploy and
// the upload size it reports; and the rule for a test whose tool this machine
// lacks (`skipUnless`: skipped on a developer's machine, failed under CI).

import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

/** The environment for wrangler here: no telemetry, no `request.cf` download. */
export const OFFLINE = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

/**
 * Runs `wrangler deploy --dry-run` in `cwd`. Returns its output and the upload
 * size it reports (`uploadKiB`, `gzipKiB`; undefined if it reported none).
 */
export async function wranglerDryRun(cwd) {
  const outdir = await mkdtemp(path.join(tmpdir(), "dry-run-"));
  try {
    const { stdout } = await promisify(execFile)("wrangler", ["deploy", "--dry-run", "--outdir", outdir], {
      cwd,
      env: OFFLINE,
      maxBuffer: 16 * 1024 * 1024,
    });
    const match = stdout.match(/Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/);
    return { stdout, uploadKiB: match && Number(match[1]), gzipKiB: match && Number(match[2]) };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/**
 * The `skip` option for a test that needs something this machine may lack:
 * `false` when it is there. When it is missing, a developer's run skips the
 * test and says why; under CI (`CI=true`) that throws instead, so a run that
 * could not test something never passes as if it had.
 */
export function skipUnless(available, why) {
  if (available) return false;
  if (process.env.CI === "true") throw new Error(`${why}; under CI a test that cannot run fails`);
  console.log(`SKIPPED: ${why}; it did not run.`);
  return why;
}
