// Starts a built worker in real workerd (Miniflare) and records its console.
//
// Each console line is kept with the time, on this process's clock, at which
// it arrived, so tests can compare a line with the moment a response came in.

import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { Miniflare } from "miniflare";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

// The runtime behaviour the worker is built against; kept equal to wrangler.toml.
export const COMPATIBILITY_DATE = "2026-11-17";

/** The console of one workerd, line by line. */
export class Console {
  lines = [];
  #summaries = new Map();
  #waiters = [];

  record({ level, message }) {
    this.lines.push({ at: performance.now(), level, message });
    const summary = summaryOf(message);
    if (summary !== undefined) this.#summaries.set(summary.run, summary);
    this.#waiters = this.#waiters.filter(({ predicate, resolve }) => {
      if (!predicate(this.lines)) return true;
      resolve();
      return false;
    });
  }

  /** Resolves once `predicate(lines)` holds; rejects after `timeoutMs`. */
  async until(predicate, timeoutMs, what = "the expected console lines") {
    if (predicate(this.lines)) return;
    let timer;
    await Promise.race([
      new Promise((resolve) => this.#waiters.push({ predicate, resolve })),
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `timed out after ${timeoutMs} ms waiting for ${what}; console was:\n` +
                  this.lines.map((l) => `  ${l.level} ${l.message}`).join("\n"),
              ),
            ),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** The lines of one run (those tagged `[run <id>]`, and its summary). */
  run(id) {
    return this.lines.filter(
      (l) => l.message.startsWith(`[run ${id}] `) || summaryOf(l.message)?.run === id,
    );
  }

  /** The summary object of run `id`, once logged. */
  summary(id) {
    return this.#summaries.get(id);
  }

  /** Waits for run `id`'s summary line and returns it. */
  async summaryOf(id, timeoutMs) {
    await this.until(() => this.summary(id) !== undefined, timeoutMs, `the summary of run ${id}`);
    return this.summary(id);
  }
}

/** Parses a summary line, or gives `undefined` for any other line. */
export function summaryOf(message) {
  if (!message.startsWith("{")) return undefined;
  try {
    const value = JSON.parse(message);
    return value.event === "summary" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The text of a run's line without its `[run <id>] ` prefix. */
export function bare(message) {
  return message.replace(/^\[run [0-9a-f]{8}\] /, "");
}

/** Reads a worker's modules; the first is the entry point. */
async function loadModules(modules) {
  const entries = await Promise.all(
    Object.entries(modules).map(async ([moduleName, file]) => {
      const type = moduleName.endsWith(".wasm") ? "wasm" : "esm";
      const contents = await readFile(path.resolve(ROOT, file));
      return [moduleName, { type, contents: type === "esm" ? contents.toString() : new Uint8Array(contents) }];
    }),
  );
  return { mainModule: entries[0][0], modules: Object.fromEntries(entries) };
}

/**
 * Starts several workers in one workerd, each on a socket of its own.
 * `workers` is a list of `{ name, modules, compatibilityFlags }`, where
 * `modules` maps module names to files (the first is the entry point).
 * Returns `{ urls: { [name]: URL }, entry, console, dispose }`; the console
 * has every worker's lines.
 */
export async function startWorkers(workers) {
  const console = new Console();
  const mf = new Miniflare({
    cf: false,
    handleStructuredLogs: (log) => {
      console.record(log);
    },
    workers: await Promise.all(
      workers.map(async ({ name, modules, compatibilityFlags = [] }) => ({
        config: {
          name,
          compatibilityDate: COMPATIBILITY_DATE,
          compatibilityFlags,
          manifest: await loadModules(modules),
        },
        dev: { unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }] },
      })),
    ),
  });
  // Miniflare's entry, which stands in for Cloudflare's edge (it compresses
  // responses, as `wrangler dev` does), routes to the first worker.
  const entry = await mf.ready;
  const urls = {};
  for (const { name } of workers) urls[name] = await mf.unsafeGetDirectURL(name);
  return { urls, entry, console, dispose: () => mf.dispose() };
}

/**
 * Starts one worker in workerd. Returns `{ url, entry, console, dispose }`:
 * `url` reaches the worker directly, `entry` through Miniflare's entry.
 */
export async function startWorker({ name, modules, compatibilityFlags = [] }) {
  const { urls, entry, console, dispose } = await startWorkers([{ name, modules, compatibilityFlags }]);
  return { url: urls[name], entry, console, dispose };
}

/** The Rust worker as `make build` left it in build/. */
export function startRustWorker() {
  return startWorker(RUST_WORKER);
}

/** The Rust worker's modules, for `startWorkers`. */
export const RUST_WORKER = {
  name: "handling-backpressure",
  modules: { "index.js": "build/index.js", "index_bg.wasm": "build/index_bg.wasm" },
};

/** The workerd process that Miniflare started for this Node process. */
export async function workerdPid() {
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = (await readFile(`/proc/${entry}/stat`, "utf8")).trim();
      const [, comm, rest] = stat.match(/^\d+ \((.*)\) (.*)$/);
      if (comm === "workerd" && Number(rest.split(" ")[1]) === process.pid) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  throw new Error("no workerd child process found");
}

/** Resident memory of a process, in MB. */
export async function rssMb(pid) {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmRSS:\s+(\d+) kB/)[1]) / 1024;
}

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

export { sleep, ROOT };
