// `make bench`: the Rust worker against its peers, all in one workerd, as
// ratios measured in the same run. Prints a Markdown table and writes the raw
// figures to bench/results/latest.json.
//
// Peers: the JS recipe (tests/fixtures/recipe.js), a JS pull-based stream of
// the same integers (bench/peers/js-pull-stream.js), the same bytes as one
// static body (bench/peers/static-body.js), a hello-world workers-rs worker
// built with the same profile (bench/hello) and a JS hello-world
// (bench/peers/js-hello.js): the floors of CPU per request of each stack; the
// recipe ported to Rust the plainest way (bench/plain-port), the floor of any
// Rust-driven demo, with a route that only logs, beside its JS twin
// (bench/peers/js-log.js), to price a console line from each side; and the
// same crate built with the worker's other routes, the plainest way, to
// weigh beside the worker's bundle.
//
// Figures that depend on the machine's load are taken in alternating rounds
// (each round runs every candidate once, the order reversed every other
// round) and reported as the median over the rounds with their spread
// (min–max), so that a ratio is only believed when it beats that spread.

import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT } from "../tests/harness/project.js";
import { rawGet, rawGetToEnd, rawUpload } from "../tests/harness/raw-http.js";
import { stallAtOnePercent } from "../tests/harness/runs.js";
import { wranglerDryRun } from "../tests/harness/tools.js";
import { sleep } from "../tests/harness/wait.js";
import { RECIPE_WORKER, RUST_WORKER, builtWorker, rssMb, startWorkers, summaryOf, workerdPid } from "../tests/harness/workerd.js";
import { load } from "./load.js";
import { readTextToEnd } from "./read-fast.js";
import { UPLOAD_BYTES, timedUpload } from "./upload.js";
import { alternating, cpuMs, median, ratio, round, spread } from "./measure.js";

// The Rust worker without its static assets: with them, Miniflare puts the
// platform's asset router in front of every request, in the same workerd, and
// its CPU and latency would count against the worker. (On Cloudflare that
// router is the platform's, not billed to the worker.) No route measured here
// reads an asset.
const PEERS = [
  { ...RUST_WORKER, assets: undefined },
  RECIPE_WORKER,
  { name: "js-pull", modules: { "js-pull-stream.js": "bench/peers/js-pull-stream.js" } },
  { name: "static", modules: { "static-body.js": "bench/peers/static-body.js" } },
  builtWorker("hello", "bench/hello/build"),
  { name: "js-hello", modules: { "js-hello.js": "bench/peers/js-hello.js" } },
  builtWorker("plain-port", "bench/plain-port/build"),
  // The worker's routes the plainest way (the plain port with `routes`),
  // in front of the same origin, with the same assets.
  {
    ...builtWorker("plain-routes", "bench/plain-port/build-routes"),
    assets: RUST_WORKER.assets,
    services: { ORIGIN: RUST_WORKER.name },
  },
  { name: "js-log", modules: { "js-log.js": "bench/peers/js-log.js" } },
  { name: "js-ingest", modules: { "js-ingest.js": "bench/peers/js-ingest.js" } },
  // Its origin is the Rust worker's /api/stream, as the Rust proxy's is.
  { name: "js-proxy", modules: { "js-proxy.js": "bench/peers/js-proxy.js" }, services: { ORIGIN: RUST_WORKER.name } },
];
const RUST = RUST_WORKER.name;
const RECIPE = RECIPE_WORKER.name;

// ---------------------------------------------------------------- 1. bundle

async function dryRun(cwd) {
  const { stdout, uploadKiB, gzipKiB } = await wranglerDryRun(cwd);
  if (gzipKiB === null) throw new Error(`wrangler reported no upload size:\n${stdout}`);
  return { uploadKiB, gzipKiB };
}

async function wasmGzipKiB(file) {
  return round(gzipSync(await readFile(path.join(ROOT, file)), { level: 9 }).length / 1024);
}

/**
 * A build that has no wrangler.toml of its own (the recipe's build, the
 * plain routes), through `wrangler deploy --dry-run` as a worker of its own.
 */
async function buildDryRun(name, dir) {
  const ourConfig = await readFile(path.join(ROOT, "wrangler.toml"), "utf8");
  const compatibilityDate = ourConfig.match(/^compatibility_date = .*$/m)[0];
  const configDir = await mkdtemp(path.join(tmpdir(), `${name}-`));
  try {
    await writeFile(
      path.join(configDir, "wrangler.toml"),
      [`name = "${name}"`, `main = ${JSON.stringify(path.join(ROOT, dir, "index.js"))}`, compatibilityDate, ""].join("\n"),
    );
    return { ...(await dryRun(configDir)), wasmGzipKiB: await wasmGzipKiB(path.join(dir, "index_bg.wasm")) };
  } finally {
    await rm(configDir, { recursive: true, force: true });
  }
}

/**
 * The plain routes (bench/plain-port built with `routes`) do what the
 * worker's routes do, or they would weigh nothing worth comparing: each
 * route's answer, checked in workerd before the build is weighed.
 */
async function checkPlainRoutes(workerd) {
  const url = workerd.urls["plain-routes"];
  await readTextToEnd(url, "/api/stream?count=1000&batch=64", 1000);
  const upload = await fetch(`${url}/api/ingest?readMs=1`, { method: "POST", body: new Uint8Array(100_000) });
  const ingested = await upload.text();
  if (ingested !== "100000") throw new Error(`the plain ingest read ${ingested} bytes of 100000`);
  let sum = 0;
  const expected = Array.from({ length: 100 }, (_, i) => `${i + 1} ${(i + 1) ** 2} ${(sum += i + 1)}\n`).join("");
  const proxied = await (await fetch(`${url}/api/proxy?count=100&batch=7`)).text();
  if (proxied !== expected) throw new Error(`the plain proxy answered ${JSON.stringify(proxied.slice(0, 200))}`);
  const page = await fetch(`${url}/`);
  const html = await page.text();
  if (page.status !== 200 || !html.includes("<script")) throw new Error(`the plain page answered ${page.status}`);
}

async function bundle(workerd) {
  // The dry run rebuilds build/ (wrangler runs `make build`); the recipe's
  // build is rebuilt here, so that `node bench/run.js` alone measures the
  // code as it is, not the recipe's build of an earlier `make bench`.
  execFileSync("make", ["build-recipe"], { cwd: ROOT, stdio: "ignore" });
  await checkPlainRoutes(workerd);
  const ours = { ...(await dryRun(ROOT)), wasmGzipKiB: await wasmGzipKiB("build/index_bg.wasm") };
  const recipeOnly = await buildDryRun("handling-backpressure-recipe", "target/recipe-build");
  const plainRoutes = await buildDryRun("plain-routes", "bench/plain-port/build-routes");
  const hello = {
    ...(await dryRun(path.join(ROOT, "bench/hello"))),
    wasmGzipKiB: await wasmGzipKiB("bench/hello/build/index_bg.wasm"),
  };
  return {
    ours,
    recipeOnly,
    plainRoutes,
    hello,
    uploadGzipRatio: ratio(ours.gzipKiB, hello.gzipKiB),
    wasmGzipRatio: ratio(ours.wasmGzipKiB, hello.wasmGzipKiB),
    recipeOnlyUploadGzipRatio: ratio(recipeOnly.gzipKiB, hello.gzipKiB),
    recipeOnlyWasmGzipRatio: ratio(recipeOnly.wasmGzipKiB, hello.wasmGzipKiB),
    plainRoutesUploadGzipRatio: ratio(plainRoutes.gzipKiB, hello.gzipKiB),
    plainRoutesWasmGzipRatio: ratio(plainRoutes.wasmGzipKiB, hello.wasmGzipKiB),
    goal: "upload gzip at most 1.5 × hello-world",
  };
}

// ---------------------------------------------------------------- 2. latency

// The demo request: two values, 1 ms pauses.
const DEMO_QUERY = "count=2&produceMs=1&readMs=1";

async function hintLatency(workerd, { levels = [1, 16], amount = 1000, rounds = 5 } = {}) {
  const rows = [];
  // The demo's hint from both, and both hello-worlds: the floor of each stack.
  const paths = {
    [RUST]: `/api/handle-backpressure?${DEMO_QUERY}`,
    [RECIPE]: `/api/handle-backpressure?${DEMO_QUERY}`,
    hello: "/",
    "js-hello": "/",
    "plain-port": `/?${DEMO_QUERY}`,
  };
  for (const connections of levels) {
    const runs = await alternating(Object.keys(paths), rounds, async (name) => {
      await sleep(300);
      return load(new URL(paths[name], workerd.urls[name]).href, { connections, amount });
    });
    const p50s = (name) => runs[name].map((run) => run.p50);
    const summary = (name) => ({
      p50: median(p50s(name)),
      p50Spread: spread(p50s(name)),
      p99: median(runs[name].map((run) => run.p99)),
    });
    const ratios = (ours, theirs) => runs[ours].map((run, i) => run.p50 / runs[theirs][i].p50);
    rows.push({
      connections,
      amount,
      rounds,
      rust: summary(RUST),
      js: summary(RECIPE),
      rustHello: summary("hello"),
      jsHello: summary("js-hello"),
      errors: Object.values(runs).flat().reduce((sum, run) => sum + run.errors + run.non2xx, 0),
      p50Ratio: ratio(median(p50s(RUST)), median(p50s(RECIPE))),
      p50RatioSpread: spread(ratios(RUST, RECIPE)),
      helloP50Ratio: ratio(median(p50s("hello")), median(p50s("js-hello"))),
      helloP50RatioSpread: spread(ratios("hello", "js-hello")),
      plainPort: summary("plain-port"),
      plainPortP50Ratio: ratio(median(p50s("plain-port")), median(p50s(RECIPE))),
      plainPortP50RatioSpread: spread(ratios("plain-port", RECIPE)),
    });
  }
  return { query: DEMO_QUERY, rows, goal: "p50 at most 1.1 × the JS recipe at 1 connection, 1.25 × at 16; no errors" };
}

// ---------------------------------------------------------------- 3. throughput

/** Reads a whole text body as fast as possible; returns values/s and MB/s. */
async function fastRead(url, pathAndQuery, count) {
  const { seconds, bytes } = await readTextToEnd(url, pathAndQuery, count);
  return { seconds: round(seconds, 3), valuesPerSecond: Math.round(count / seconds), mbPerSecond: round(bytes / 1e6 / seconds) };
}

/** The largest `batch` the stream allows: its best batched setting. */
const BEST_BATCH = 8192;

/**
 * Values per second to a client that reads as fast as it can, in
 * alternating rounds: the Rust stream one value per chunk (the default
 * look-ahead of 1, and 64, where a pull hands the runtime every value that
 * waits, each its own chunk) and batched, against the JS pull stream (one
 * value per pull, the recipe's way). Then, in rounds of their own, on a body
 * long enough to measure bytes rather than a request's latency (10,000,000
 * values, 79 MB, a quarter of a second and more; at a million values, 40 ms,
 * the static body's rate moved fourfold between rounds): the largest batch
 * against the same bytes as one static body, against the JS pull stream at
 * the same batch, and against the floors (a JS pull that does no work, a
 * plain Rust stream that makes its values and does nothing else); and batch
 * 1024 against JS at 1024. These bodies vary the most, so they get more
 * rounds, after one warm-up round that is not counted (the static body and
 * the lines made in advance are built by the first request for them). The
 * client is `read-fast.js`, which keeps nothing of a body but its length
 * and last line.
 */
async function throughput(workerd, { count = 50_000, bytesCount = 10_000_000, rounds = 5, bytesRounds = 11 } = {}) {
  const perValue = [
    ["rust pull, batch 1", RUST, `/api/stream?count=${count}`],
    ["rust pull, batch 1, highWaterMark 64", RUST, `/api/stream?count=${count}&highWaterMark=64`],
    ...[16, 64, 256, 1024].map((batch) => [`rust pull, batch ${batch}`, RUST, `/api/stream?count=${count}&batch=${batch}`]),
    ["rust push, batch 1", RUST, `/api/stream?count=${count}&mode=push`],
    ["js pull stream", "js-pull", `/?count=${count}`],
    ["js pull stream, lines made in advance", "js-pull", `/?count=${count}&premade=1`],
    ["static body", "static", `/?count=${count}`],
  ];
  const bytes = [
    [`rust pull, batch 1024, highWaterMark 64, ${bytesCount} values`, RUST, `/api/stream?count=${bytesCount}&batch=1024&highWaterMark=64`],
    [`rust pull, batch ${BEST_BATCH}, highWaterMark 64, ${bytesCount} values`, RUST, `/api/stream?count=${bytesCount}&batch=${BEST_BATCH}&highWaterMark=64`],
    [`js pull stream, batch 1024, ${bytesCount} values`, "js-pull", `/?count=${bytesCount}&batch=1024`],
    [`js pull stream, batch ${BEST_BATCH}, ${bytesCount} values`, "js-pull", `/?count=${bytesCount}&batch=${BEST_BATCH}`],
    [`js pull stream, batch ${BEST_BATCH}, lines made in advance, ${bytesCount} values`, "js-pull", `/?count=${bytesCount}&batch=${BEST_BATCH}&premade=1`],
    [`plain rust stream, batch ${BEST_BATCH}, ${bytesCount} values`, "plain-port", `/stream?count=${bytesCount}&batch=${BEST_BATCH}`],
    [`static body, ${bytesCount} values`, "static", `/?count=${bytesCount}`],
  ];
  const measureAll = async (variants, values, roundsOf, warmUp = false) => {
    const read = (label) => {
      const [, name, query] = variants.find((v) => v[0] === label);
      return fastRead(workerd.urls[name], query, values);
    };
    if (warmUp) for (const [label] of variants) await read(label);
    return alternating(variants.map(([label]) => label), roundsOf, read);
  };
  const runs = {
    ...(await measureAll(perValue, count, rounds)),
    ...(await measureAll(bytes, bytesCount, bytesRounds, true)),
  };
  const rows = [...perValue, ...bytes].map(([label]) => {
    const rates = runs[label].map((r) => r.valuesPerSecond);
    return { label, valuesPerSecond: median(rates), spread: spread(rates), mbPerSecond: median(runs[label].map((r) => r.mbPerSecond)) };
  });
  const byLabel = (label) => runs[label].map((r) => r.valuesPerSecond);
  const ratios = (ours, theirs) => byLabel(ours).map((rate, i) => rate / byLabel(theirs)[i]);
  const best = `rust pull, batch ${BEST_BATCH}, highWaterMark 64, ${bytesCount} values`;
  const staticBody = `static body, ${bytesCount} values`;
  const plainStream = `plain rust stream, batch ${BEST_BATCH}, ${bytesCount} values`;
  const comparisons = [
    ["rust pull, batch 1", "js pull stream", "≥ 1.2"],
    ["rust pull, batch 1, highWaterMark 64", "js pull stream", "≥ 1.2"],
    ["js pull stream, lines made in advance", "js pull stream", "the floor: a pull with no work, one value per pull"],
    [best, staticBody, "≥ 0.8"],
    [`js pull stream, batch ${BEST_BATCH}, lines made in advance, ${bytesCount} values`, staticBody, "a pull stream with no work"],
    [plainStream, staticBody, "the floor: the least a Rust stream making its values does"],
    [`js pull stream, batch ${BEST_BATCH}, ${bytesCount} values`, staticBody, "JS making the values"],
    [best, plainStream, ""],
    [best, `js pull stream, batch ${BEST_BATCH}, ${bytesCount} values`, ""],
    [`rust pull, batch 1024, highWaterMark 64, ${bytesCount} values`, `js pull stream, batch 1024, ${bytesCount} values`, ""],
  ].map(([ours, theirs, goal]) => {
    const list = ratios(ours, theirs);
    return { ours, theirs, ratio: round(median(list), 3), spread: spread(list), goal };
  });
  return { count, bytesCount, rounds, bytesRounds, rows, comparisons };
}

// ---------------------------------------------------------------- 4. CPU

/**
 * workerd's CPU per request, from /proc, in alternating rounds: the Rust demo,
 * the JS recipe, the plain Rust port (the floor of a Rust-driven demo), the
 * two hello-world floors, and a request that writes LOG_LINES console lines
 * from wasm and from JS. A demo request counts until its run has ended (its
 * last console line), not just its answer.
 */
const LOG_LINES = 20;
async function cpuPerRun(workerd, pid, { rounds = 7, demoRuns = 1000, helloRuns = 2000 } = {}) {
  const demo = `/api/handle-backpressure?${DEMO_QUERY}`;
  const recipeDone = (line) => line.message === "Stream value: 2";
  const candidates = {
    [RUST]: { path: demo, done: (line) => line.message.startsWith('{"run"') && line.message.includes('"outcome":"complete"') },
    [RECIPE]: { path: demo, done: recipeDone },
    "plain-port": { path: `/?${DEMO_QUERY}`, done: recipeDone },
    hello: { path: "/" },
    "js-hello": { path: "/" },
    "wasm-log": { worker: "plain-port", path: `/log?lines=${LOG_LINES}` },
    "js-log": { path: `/?lines=${LOG_LINES}` },
  };
  const measure = async (name) => {
    const { worker = name, path, done } = candidates[name];
    const runs = done ? demoRuns : helloRuns;
    await sleep(500);
    const linesBefore = workerd.console.lines.length;
    const before = await cpuMs(pid);
    await load(new URL(path, workerd.urls[worker]).href, { connections: 20, amount: runs });
    if (done) {
      await workerd.console.until(
        (lines) => lines.slice(linesBefore).filter(done).length >= runs,
        60_000,
        `${runs} completed runs of ${name}`,
      );
    }
    return ((await cpuMs(pid)) - before) / runs;
  };
  const perRequest = await alternating(Object.keys(candidates), rounds, measure);
  const row = (name) => ({ cpuMsPerRequest: round(median(perRequest[name]), 3), spread: spread(perRequest[name]) });
  const byRound = (f) => perRequest[RUST].map((_, i) => f(i));
  const above = (name, floor, i) => perRequest[name][i] - perRequest[floor][i];
  const demoRatios = byRound((i) => perRequest[RUST][i] / perRequest[RECIPE][i]);
  const floorRatios = byRound((i) => above(RUST, "hello", i) / above(RECIPE, "js-hello", i));
  const plainRatios = byRound((i) => perRequest["plain-port"][i] / perRequest[RECIPE][i]);
  const plainFloorRatios = byRound((i) => above("plain-port", "hello", i) / above(RECIPE, "js-hello", i));
  const againstPlain = byRound((i) => above(RUST, "hello", i) / above("plain-port", "hello", i));
  // µs per console line: the logging request above its stack's floor.
  const wasmLine = byRound((i) => (above("wasm-log", "hello", i) * 1000) / LOG_LINES);
  const jsLine = byRound((i) => (above("js-log", "js-hello", i) * 1000) / LOG_LINES);
  const summarise = (list, digits = 3) => ({ median: round(median(list), digits), spread: spread(list) });
  return {
    query: DEMO_QUERY,
    rounds,
    rust: row(RUST),
    js: row(RECIPE),
    plainPort: row("plain-port"),
    rustHello: row("hello"),
    jsHello: row("js-hello"),
    ratio: round(median(demoRatios), 3),
    ratioSpread: spread(demoRatios),
    aboveFloorRatio: round(median(floorRatios), 3),
    aboveFloorRatioSpread: spread(floorRatios),
    plainPortRatio: summarise(plainRatios),
    plainPortAboveFloorRatio: summarise(plainFloorRatios),
    rustAbovePlainPort: summarise(againstPlain),
    logLines: LOG_LINES,
    wasmLineMicros: summarise(wasmLine, 1),
    jsLineMicros: summarise(jsLine, 1),
    freePlanLimitMs: 10,
    goal: "demo ≤ 1.2 × the JS recipe; demo above the workers-rs floor ≤ 1.0 × the recipe above the JS floor",
  };
}

// ---------------------------------------------------------------- 4b. CPU per streamed value

/**
 * workerd's CPU per 1,000 values streamed to a fast client, for the Rust
 * stream at batch 1 and batched and for the JS pull stream, in alternating
 * rounds (median of `rounds`), and what the largest stream allowed would
 * need at that rate, against the platform's limits. The batched streams of
 * 1024 values a chunk and more send 10,000,000 values, the others `count`:
 * /proc counts CPU in 10 ms ticks, and a million batched values take two to
 * four of them.
 * Beside them the floors of the batched stream: the plain Rust stream, and
 * the same bytes as one static body (built by an uncounted first request).
 */
async function streamCpu(workerd, pid, { count = 100_000, batchedCount = 10_000_000, rounds = 5 } = {}) {
  const variants = [
    ["rust pull, batch 1", RUST, `/api/stream?count=${count}`, count],
    ["rust pull, batch 1, highWaterMark 64", RUST, `/api/stream?count=${count}&highWaterMark=64`, count],
    ["rust pull, batch 64", RUST, `/api/stream?count=${count}&batch=64`, count],
    ["rust pull, batch 1024", RUST, `/api/stream?count=${batchedCount}&batch=1024`, batchedCount],
    [`rust pull, batch ${BEST_BATCH}`, RUST, `/api/stream?count=${batchedCount}&batch=${BEST_BATCH}`, batchedCount],
    ["js pull stream", "js-pull", `/?count=${count}`, count],
    ["js pull stream, batch 1024", "js-pull", `/?count=${batchedCount}&batch=1024`, batchedCount],
    [`js pull stream, batch ${BEST_BATCH}`, "js-pull", `/?count=${batchedCount}&batch=${BEST_BATCH}`, batchedCount],
    // The floors: the least a Rust stream that makes its values does, and
    // the same bytes sent as one body (the runtime's own part).
    [`plain rust stream, batch ${BEST_BATCH}`, "plain-port", `/stream?count=${batchedCount}&batch=${BEST_BATCH}`, batchedCount],
    ["static body", "static", `/?count=${batchedCount}`, batchedCount],
  ];
  const perThousand = Object.fromEntries(variants.map(([label]) => [label, []]));
  await fastRead(workerd.urls.static, `/?count=${batchedCount}`, batchedCount);
  for (let round = 0; round < rounds; round++) {
    for (const [label, name, query, values] of variants) {
      await sleep(200);
      const before = await cpuMs(pid);
      await fastRead(workerd.urls[name], query, values);
      perThousand[label].push(((await cpuMs(pid)) - before) / (values / 1000));
    }
  }
  const largest = 10_000_000;
  const rows = variants.map(([label, , , values]) => {
    const perValue = perThousand[label];
    const msPer1000 = median(perValue);
    return {
      label,
      values,
      cpuMsPer1000Values: round(msPer1000, 3),
      spread: spread(perValue),
      cpuSecondsFor10MValues: round((msPer1000 * largest) / 1000 / 1000, 1),
    };
  });
  return { count, batchedCount, rounds, rows, limits: { freePlanMs: 10, paidDefaultSeconds: 30, paidMaxSeconds: 300 } };
}

// ---------------------------------------------------------------- 4c. uploads

/**
 * An unpaced upload of 16 MiB (just under the route's limit) to the Rust
 * route and to the JS peer that reads the same body the same way, in
 * alternating rounds: MB/s from the first byte sent to the answer, and
 * workerd's CPU per MB.
 */
async function ingest(workerd, pid, { rounds = 5, size = UPLOAD_BYTES } = {}) {
  const candidates = { [RUST]: "/api/ingest", "js-ingest": "/" };
  const runs = await alternating(Object.keys(candidates), rounds, async (name) => {
    await sleep(300);
    return timedUpload(workerd.urls[name], candidates[name], pid, size);
  });
  const row = (name) => {
    const rates = runs[name].map((r) => r.mbPerSecond);
    const cpu = runs[name].map((r) => r.cpuMsPerMb);
    return { mbPerSecond: round(median(rates)), spread: spread(rates), cpuMsPerMb: round(median(cpu), 3), cpuSpread: spread(cpu) };
  };
  const ratios = runs[RUST].map((r, i) => r.mbPerSecond / runs["js-ingest"][i].mbPerSecond);
  return { size, rounds, rust: row(RUST), js: row("js-ingest"), ratio: round(median(ratios), 3), ratioSpread: spread(ratios) };
}

// ---------------------------------------------------------------- 5. proxy

/**
 * A client that reads as fast as it can from the Rust proxy and from the JS
 * peer (`pipeThrough(new TransformStream(...))`), both in front of the same
 * origin (the Rust worker's /api/stream), in alternating rounds: values/s,
 * and workerd's CPU per 1,000 values (origin included, the same for both).
 */
async function proxyThroughput(workerd, pid, { rounds = 5 } = {}) {
  const variants = [
    ["batch 1", "count=20000", 20_000],
    ["batch 64, highWaterMark 64, transformHighWaterMark 4", "count=1000000&batch=64&highWaterMark=64&transformHighWaterMark=4", 1_000_000],
    ["ndjson, batch 64, highWaterMark 64, transformHighWaterMark 4", "count=200000&batch=64&highWaterMark=64&transformHighWaterMark=4&format=ndjson", 200_000],
  ];
  const candidates = variants.flatMap(([label]) => [`${RUST} ${label}`, `js-proxy ${label}`]);
  const runs = await alternating(candidates, rounds, async (candidate) => {
    const [name, ...rest] = candidate.split(" ");
    const [, query, count] = variants.find(([label]) => label === rest.join(" "));
    const path = name === RUST ? `/api/proxy?${query}` : `/?${query}`;
    // NDJSON ends with the origin's summary and (from Rust) the proxy's.
    const lines = query.includes("ndjson") ? (name === RUST ? count + 2 : count + 1) : count;
    await sleep(200);
    const cpuBefore = await cpuMs(pid);
    const started = performance.now();
    const client = await rawGetToEnd(workerd.urls[name], path, {}, 120_000);
    const seconds = (performance.now() - started) / 1000;
    if (client.lines.length !== lines) throw new Error(`${candidate}: ${client.lines.length} lines, expected ${lines}`);
    return { valuesPerSecond: count / seconds, cpuMsPer1000Values: ((await cpuMs(pid)) - cpuBefore) / (count / 1000) };
  });
  const rows = variants.map(([label]) => {
    const [rust, js] = [runs[`${RUST} ${label}`], runs[`js-proxy ${label}`]];
    const ratios = rust.map((r, i) => r.valuesPerSecond / js[i].valuesPerSecond);
    const cpuRatios = rust.map((r, i) => r.cpuMsPer1000Values / js[i].cpuMsPer1000Values);
    const side = (list) => ({
      valuesPerSecond: Math.round(median(list.map((r) => r.valuesPerSecond))),
      spread: spread(list.map((r) => Math.round(r.valuesPerSecond))),
      cpuMsPer1000Values: round(median(list.map((r) => r.cpuMsPer1000Values)), 3),
    });
    return {
      label,
      rust: side(rust),
      js: side(js),
      ratio: round(median(ratios), 3),
      ratioSpread: spread(ratios),
      cpuRatio: round(median(cpuRatios), 3),
      cpuRatioSpread: spread(cpuRatios),
    };
  });
  return { rounds, rows };
}

// ---------------------------------------------------------------- 6. memory

async function memoryUnderSlowClient(workerd, pid) {
  const rows = [];
  for (const mode of ["pull", "push"]) {
    for (const count of [10_000, 1_000_000]) {
      await sleep(300);
      const baseline = await rssMb(pid);
      const rust = { url: workerd.urls[RUST], console: workerd.console };
      const { summary, stalled } = await stallAtOnePercent(rust, `mode=${mode}&highWaterMark=4`, count, {
        stallMs: 1500,
        whileStalled: () => rssMb(pid),
      });
      rows.push({
        mode,
        count,
        baselineRssMb: round(baseline, 1),
        stalledRssMb: round(stalled, 1),
        rssGrowthMb: round(stalled - baseline, 1),
        produced: summary.produced,
        maxQueue: summary.maxQueue,
        maxLead: summary.maxLead,
        outcome: summary.outcome,
        capped: summary.capped,
      });
    }
  }
  return { rows, goal: "pull flat (same queue for both lengths), push capped" };
}

/**
 * Stalled clients of the proxy: `clients` at once, each reading 1,000 lines
 * and then nothing, for 100,000 and for 10,000,000 values; workerd's RSS
 * while they are all stalled, against before. Flat: the same for both
 * lengths, because each proxy holds at most its transformHighWaterMark
 * chunks and each origin waits.
 */
async function memoryUnderStalledProxyClients(workerd, pid, { clients = 10, stallMs = 2000 } = {}) {
  const rows = [];
  for (const count of [100_000, 10_000_000]) {
    await sleep(500);
    const baseline = await rssMb(pid);
    const stalled = Array.from({ length: clients }, () =>
      rawGet(workerd.urls[RUST], `/api/proxy?count=${count}&transformHighWaterMark=4`),
    );
    await Promise.all(stalled.map((c) => c.until((c) => c.lines.length >= 1000, 60_000, "1000 lines")));
    for (const client of stalled) client.pause();
    await sleep(stallMs);
    const whileStalled = await rssMb(pid);
    const ids = stalled.map((c) => [c.headers["x-run-id"], c.headers["x-origin-run-id"]]);
    for (const client of stalled) client.destroy();
    const summaries = await workerd.console.summariesOf(ids.flat(), 30_000);
    const proxies = summaries.filter((s) => s.route === "proxy");
    const origins = summaries.filter((s) => s.route === "stream");
    rows.push({
      count,
      clients,
      baselineRssMb: round(baseline, 1),
      stalledRssMb: round(whileStalled, 1),
      rssGrowthMb: round(whileStalled - baseline, 1),
      maxOriginProduced: Math.max(...origins.map((s) => s.produced)),
      maxQueue: Math.max(...proxies.map((s) => s.maxQueue)),
      maxQueueBytes: Math.max(...proxies.map((s) => s.maxQueueBytes)),
      outcomes: [...new Set(summaries.map((s) => s.outcome))],
    });
  }
  return { rows, goal: "flat: the same for 100,000 and 10,000,000 values" };
}

/**
 * Stalled uploaders: `clients` at once, each sending the head of a 16 MiB
 * upload and then only `stopAfter` bytes, the connection left open; the
 * worker reads what came and waits for the rest. workerd's RSS while they
 * are all stalled, against before, for the Rust route and for the JS peer
 * reading the same way, after one unrecorded warm-up round (workerd keeps
 * what its first burst of uploads grew it by, whichever worker read them).
 */
async function memoryUnderStalledUploaders(workerd, pid, { clients = 10, stallMs = 3000 } = {}) {
  const size = 16 * 1024 * 1024 - 1024;
  const candidates = { [RUST]: "/api/ingest", "js-ingest": "/" };
  const stall = async (name, stopAfter) => {
    await sleep(1000);
    const baseline = await rssMb(pid);
    const from = workerd.console.lines.length;
    const uploads = Array.from({ length: clients }, () =>
      rawUpload(workerd.urls[name], candidates[name], { size, stopAt: stopAfter, contentType: "application/octet-stream" }),
    );
    // The worker reads what each sent, then waits for the rest.
    await sleep(stallMs);
    const whileStalled = await rssMb(pid);
    for (const upload of uploads) upload.destroy();
    let summaries = [];
    if (name === RUST) {
      const ingests = (lines) =>
        lines.slice(from).map((line) => summaryOf(line.message)).filter((summary) => summary?.route === "ingest");
      await workerd.console.until((lines) => ingests(lines).length === clients, 60_000, `${clients} upload summaries`);
      summaries = ingests(workerd.console.lines);
    }
    return { rssGrowthMb: whileStalled - baseline, summaries };
  };
  await stall(RUST, 8 << 20);
  await stall("js-ingest", 8 << 20);
  const rows = [];
  for (const stopAfter of [1 << 20, 8 << 20]) {
    const runs = await alternating(Object.keys(candidates), 2, (name) => stall(name, stopAfter));
    const summaries = runs[RUST].flatMap((r) => r.summaries);
    rows.push({
      stopAfterBytes: stopAfter,
      clients,
      rustRssGrowthMb: runs[RUST].map((r) => round(r.rssGrowthMb, 1)),
      jsRssGrowthMb: runs["js-ingest"].map((r) => round(r.rssGrowthMb, 1)),
      largestChunk: Math.max(...summaries.map((s) => s.largestChunk)),
      bytesRead: Math.max(...summaries.map((s) => s.bytes)),
      outcomes: [...new Set(summaries.map((s) => s.outcome))],
    });
  }
  return { rows, goal: "flat: the same after 1 MiB and after 8 MiB sent, and no more than the JS peer" };
}

// ---------------------------------------------------------------- report

function table(results) {
  const { bundle: b, latency, throughput: t, cpu, memory } = results;
  const lines = [];
  lines.push("| figure | Rust | peer | ratio | goal |", "|---|---|---|---|---|");
  if (b) lines.push(
    `| bundle, upload gzip (wrangler --dry-run) | ${b.ours.gzipKiB} KiB | hello-world ${b.hello.gzipKiB} KiB | ${b.uploadGzipRatio} | ≤ 1.5 |`,
    `| bundle, wasm gzip -9 | ${b.ours.wasmGzipKiB} KiB | hello-world ${b.hello.wasmGzipKiB} KiB | ${b.wasmGzipRatio} | |`,
    `| bundle of the recipe's build (no other route), upload gzip | ${b.recipeOnly.gzipKiB} KiB | hello-world ${b.hello.gzipKiB} KiB | ${b.recipeOnlyUploadGzipRatio} | ≤ 1.5 |`,
    `| the same, wasm gzip -9 | ${b.recipeOnly.wasmGzipKiB} KiB | hello-world ${b.hello.wasmGzipKiB} KiB | ${b.recipeOnlyWasmGzipRatio} | |`,
    `| bundle of the same routes the plainest workers-rs way (bench/plain-port, \`routes\`), upload gzip | ${b.plainRoutes.gzipKiB} KiB | hello-world ${b.hello.gzipKiB} KiB | ${b.plainRoutesUploadGzipRatio} | |`,
    `| the same, wasm gzip -9 | ${b.plainRoutes.wasmGzipKiB} KiB | hello-world ${b.hello.wasmGzipKiB} KiB | ${b.plainRoutesWasmGzipRatio} | |`,
  );
  for (const row of latency?.rows ?? []) {
    lines.push(
      `| hint latency p50, ${row.connections} conn. (median of ${row.rounds} rounds) | ${row.rust.p50} ms (${row.rust.p50Spread.join("–")}) | JS recipe ${row.js.p50} ms (${row.js.p50Spread.join("–")}) | ${row.p50Ratio} (${row.p50RatioSpread.join("–")}) | ${row.connections === 1 ? "≤ 1.1" : "≤ 1.25"} |`,
      `| hello-world latency p50, ${row.connections} conn. | workers-rs ${row.rustHello.p50} ms | JS ${row.jsHello.p50} ms | ${row.helloP50Ratio} (${row.helloP50RatioSpread.join("–")}) | the floors |`,
    );
    if (row.plainPort) lines.push(
      `| hint latency p50 of the plain Rust port, ${row.connections} conn. | ${row.plainPort.p50} ms (${row.plainPort.p50Spread.join("–")}) | JS recipe | ${row.plainPortP50Ratio} (${row.plainPortP50RatioSpread.join("–")}) | the floor of a Rust-driven demo |`,
    );
  }
  for (const row of t?.rows ?? []) {
    lines.push(`| stream, ${row.label} | ${row.valuesPerSecond} values/s (${row.spread.join("–")}), ${row.mbPerSecond} MB/s | | | |`);
  }
  for (const c of t?.comparisons ?? []) {
    lines.push(`| ${c.ours} against ${c.theirs} | | | ${c.ratio} (${c.spread.join("–")}) | ${c.goal} |`);
  }
  if (cpu) lines.push(
    `| CPU per demo request (median of ${cpu.rounds} rounds) | ${cpu.rust.cpuMsPerRequest} ms (${cpu.rust.spread.join("–")}) | JS recipe ${cpu.js.cpuMsPerRequest} ms (${cpu.js.spread.join("–")}) | ${cpu.ratio} (${cpu.ratioSpread.join("–")}) | ≤ 1.2 |`,
    `| CPU per hello-world request | workers-rs ${cpu.rustHello.cpuMsPerRequest} ms (${cpu.rustHello.spread.join("–")}) | JS ${cpu.jsHello.cpuMsPerRequest} ms (${cpu.jsHello.spread.join("–")}) | ${ratio(cpu.rustHello.cpuMsPerRequest, cpu.jsHello.cpuMsPerRequest)} | the floors |`,
    `| demo CPU above its stack's floor | ${round(cpu.rust.cpuMsPerRequest - cpu.rustHello.cpuMsPerRequest, 3)} ms | ${round(cpu.js.cpuMsPerRequest - cpu.jsHello.cpuMsPerRequest, 3)} ms | ${cpu.aboveFloorRatio} (${cpu.aboveFloorRatioSpread.join("–")}) | ≤ 1.0 |`,
  );
  if (cpu?.plainPort) lines.push(
    `| CPU per demo request, the plain Rust port | ${cpu.plainPort.cpuMsPerRequest} ms (${cpu.plainPort.spread.join("–")}) | JS recipe | ${cpu.plainPortRatio.median} (${cpu.plainPortRatio.spread.join("–")}) | the floor of a Rust-driven demo |`,
    `| the plain port above its floor | ${round(cpu.plainPort.cpuMsPerRequest - cpu.rustHello.cpuMsPerRequest, 3)} ms | the recipe above its floor | ${cpu.plainPortAboveFloorRatio.median} (${cpu.plainPortAboveFloorRatio.spread.join("–")}) | |`,
    `| the Rust demo above its floor, against the plain port's | | | ${cpu.rustAbovePlainPort.median} (${cpu.rustAbovePlainPort.spread.join("–")}) | |`,
    `| CPU per console line (${cpu.logLines} a request, above the floor) | wasm ${cpu.wasmLineMicros.median} µs (${cpu.wasmLineMicros.spread.join("–")}) | JS ${cpu.jsLineMicros.median} µs (${cpu.jsLineMicros.spread.join("–")}) | ${round(cpu.wasmLineMicros.median / cpu.jsLineMicros.median, 2)} | |`,
  );
  for (const row of results.streamCpu?.rows ?? []) {
    lines.push(
      `| CPU per 1,000 streamed values, ${row.label} | ${row.cpuMsPer1000Values} ms (${row.spread.join("–")}) | | | |`,
    );
  }
  const up = results.ingest;
  if (up) {
    lines.push(
      `| upload ${up.size} bytes, unpaced (median of ${up.rounds} rounds) | ${up.rust.mbPerSecond} MB/s (${up.rust.spread.join("–")}), ${up.rust.cpuMsPerMb} ms CPU/MB | JS ${up.js.mbPerSecond} MB/s (${up.js.spread.join("–")}), ${up.js.cpuMsPerMb} ms CPU/MB | ${up.ratio} (${up.ratioSpread.join("–")}) | |`,
    );
  }
  for (const row of results.proxy?.rows ?? []) {
    lines.push(
      `| proxy, ${row.label} (median of ${results.proxy.rounds} rounds) | ${row.rust.valuesPerSecond} values/s (${row.rust.spread.join("–")}), ${row.rust.cpuMsPer1000Values} ms CPU/1,000 | pipeThrough(TransformStream) ${row.js.valuesPerSecond} values/s (${row.js.spread.join("–")}), ${row.js.cpuMsPer1000Values} ms CPU/1,000 | ${row.ratio} (${row.ratioSpread.join("–")}); CPU ${row.cpuRatio} (${row.cpuRatioSpread.join("–")}) | |`,
    );
  }
  for (const row of memory?.rows ?? []) {
    lines.push(
      `| slow client, ${row.mode}, ${row.count} values | RSS ${row.rssGrowthMb >= 0 ? "+" : ""}${row.rssGrowthMb} MB, maxQueue ${row.maxQueue}, produced ${row.produced}${row.capped ? ", capped" : ""} | | | ${row.mode === "pull" ? "flat" : "capped"} |`,
    );
  }
  for (const row of results.uploadMemory?.rows ?? []) {
    lines.push(
      `| ${row.clients} stalled uploaders, each stopped after ${row.stopAfterBytes} bytes (2 rounds) | RSS ${row.rustRssGrowthMb.join(", ")} MB; largest chunk held ${row.largestChunk} bytes, at most ${row.bytesRead} bytes read, ${row.outcomes.join("/")} | JS peer RSS ${row.jsRssGrowthMb.join(", ")} MB | | flat |`,
    );
  }
  for (const row of results.proxyMemory?.rows ?? []) {
    lines.push(
      `| ${row.clients} stalled proxy clients, ${row.count} values | RSS ${row.rssGrowthMb >= 0 ? "+" : ""}${row.rssGrowthMb} MB, maxQueue ${row.maxQueue} (${row.maxQueueBytes} bytes), origin produced at most ${row.maxOriginProduced} | | | flat |`,
    );
  }
  return lines.join("\n");
}

async function main() {
  const only = process.argv.slice(2);
  const wanted = (name) => only.length === 0 || only.includes(name);
  const workerd = await startWorkers(PEERS);
  const pid = await workerdPid();
  const results = {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version },
    date: new Date().toISOString(),
  };
  try {
    if (wanted("bundle")) results.bundle = await bundle(workerd);
    if (wanted("latency")) results.latency = await hintLatency(workerd);
    await sleep(1000);
    if (wanted("throughput")) results.throughput = await throughput(workerd);
    if (wanted("cpu")) results.cpu = await cpuPerRun(workerd, pid);
    if (wanted("streamCpu")) results.streamCpu = await streamCpu(workerd, pid);
    if (wanted("ingest")) results.ingest = await ingest(workerd, pid);
    if (wanted("proxy")) results.proxy = await proxyThroughput(workerd, pid);
    if (wanted("memory")) results.memory = await memoryUnderSlowClient(workerd, pid);
    if (wanted("proxyMemory")) results.proxyMemory = await memoryUnderStalledProxyClients(workerd, pid);
    if (wanted("uploadMemory")) results.uploadMemory = await memoryUnderStalledUploaders(workerd, pid);
  } finally {
    await workerd.dispose();
  }
  // A run of some parts only updates those parts of the last full run.
  const latest = path.join(ROOT, "bench/results/latest.json");
  const merged = only.length === 0 ? results : { ...JSON.parse(await readFile(latest, "utf8")), ...results };
  await writeFile(latest, JSON.stringify(merged, null, 2) + "\n");
  console.log(table(results));
}

await main();
