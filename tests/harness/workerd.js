// Starts built workers in real workerd (Miniflare) and records their console.
//
// Each console line is kept with the time, on this process's clock, at which
// it arrived, so tests can compare a line with the moment a response came in.
// Also here: the workers the tests and benchmarks start, a test file's hooks
// for one worker (`useWorker`), and the workerd process's pid and memory.

import { EventEmitter } from "node:events";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { after, before } from "node:test";
import { Miniflare } from "miniflare";
import { COMPATIBILITY_DATE, ROOT } from "./project.js";
import { waitUntil } from "./wait.js";

/** A worker from a worker-build output folder (its index.js and index_bg.wasm). */
export function builtWorker(name, dir) {
  return { name, modules: { "index.js": `${dir}/index.js`, "index_bg.wasm": `${dir}/index_bg.wasm` } };
}

/**
 * The Rust worker as `make build` left it in build/, with its static assets
 * served as wrangler.toml's `[assets]` table says.
 */
export const RUST_WORKER = {
  ...builtWorker("handling-backpressure", "build"),
  assets: { directory: "public", binding: "ASSETS", runWorkerFirst: ["/"] },
  // `/api/proxy`'s origin: the worker itself, as in wrangler.toml.
  services: { ORIGIN: "handling-backpressure" },
};

/** The JS recipe as a worker (tests/fixtures/recipe.js). */
export const RECIPE_WORKER = { name: "recipe", modules: { "recipe.js": "tests/fixtures/recipe.js" } };

/** The console of one workerd, line by line. */
export class Console {
  lines = [];
  #summaries = new Map();
  #changes = new EventEmitter().setMaxListeners(0);

  record({ level, message }) {
    this.lines.push({ at: performance.now(), level, message });
    const summary = summaryOf(message);
    if (summary !== undefined) this.#summaries.set(summary.run, summary);
    this.#changes.emit("change");
  }

  /** Resolves once `predicate(lines)` holds; rejects after `timeoutMs`. */
  async until(predicate, timeoutMs, what = "the expected console lines") {
    await waitUntil(() => predicate(this.lines), {
      timeoutMs,
      what,
      seen: () => `console was:\n${this.lines.map((l) => `  ${l.level} ${l.message}`).join("\n")}`,
      changes: this.#changes,
    });
  }

  /** The lines of one run (those tagged `[run <id>]`, and its summary). */
  run(id) {
    return this.lines.filter(
      (l) => l.message.startsWith(`[run ${id}] `) || summaryOf(l.message)?.run === id,
    );
  }

  /** The text of run `id`'s lines, without their `[run <id>] ` prefix. */
  texts(id) {
    return this.run(id).map((l) => bare(l.message));
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

  /** Waits for the summary lines of all the runs `ids` and returns them, in order. */
  async summariesOf(ids, timeoutMs) {
    await this.until(() => ids.every((id) => this.summary(id) !== undefined), timeoutMs, `${ids.length} summaries`);
    return ids.map((id) => this.summary(id));
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
 * `workers` is a list of `{ name, modules, compatibilityFlags, tailConsumers, assets,
 * services }` (`services` maps a binding to the name of the worker it reaches), where
 * `modules` maps module names to files relative to the repository (the first
 * is the entry point); `inspectorPort` turns on workerd's inspector there.
 * Returns `{ urls: { [name]: URL }, entry, console, dispose }`; the console
 * has every worker's lines.
 */
export async function startWorkers(workers, { inspectorPort } = {}) {
  const console = new Console();
  const mf = new Miniflare({
    cf: false,
    ...(inspectorPort === undefined ? {} : { inspectorPort }),
    handleStructuredLogs: (log) => {
      console.record(log);
    },
    workers: await Promise.all(
      workers.map(async ({ name, modules, compatibilityFlags = [], tailConsumers, assets, services = {} }) => ({
        config: {
          name,
          compatibilityDate: COMPATIBILITY_DATE,
          compatibilityFlags,
          manifest: await loadModules(modules),
          ...(tailConsumers === undefined ? {} : { tailConsumers }),
          ...(assets === undefined
            ? {}
            : { assets: { directory: path.join(ROOT, assets.directory), runWorkerFirst: assets.runWorkerFirst, hasUserWorker: true } }),
          env: {
            ...(assets === undefined ? {} : { [assets.binding]: { type: "assets" } }),
            ...Object.fromEntries(Object.entries(services).map(([binding, worker]) => [binding, { type: "worker", worker }])),
          },
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
export async function startWorker(worker) {
  const { name } = worker;
  const { urls, entry, console, dispose } = await startWorkers([worker]);
  return { url: urls[name], entry, console, dispose };
}

/**
 * For a test file or a `describe`: starts `worker` (the Rust worker unless
 * told) before its tests and disposes of it after them. Returns the object
 * that `startWorker` gives, filled in once the `before` hook has run.
 */
export function useWorker(worker = RUST_WORKER) {
  const started = {};
  before(async () => {
    Object.assign(started, await startWorker(worker));
  });
  after(async () => {
    await started.dispose?.();
  });
  return started;
}

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
