// `make bench`: the Rust worker against its peers, all in one workerd, as
// ratios measured in the same run. Prints a Markdown table and writes the raw
// figures to bench/results/latest.json.
//
// Peers: the JS recipe (tests/fixtures/recipe.js), a JS pull-based stream of
// the same integers (bench/peers/js-pull-stream.js), the same bytes as one
// static body (bench/peers/static-body.js), and a hello-world workers-rs
// worker built with the same profile (bench/hello).

import { readFile, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT } from "../tests/harness/project.js";
import { rawGetToEnd } from "../tests/harness/raw-http.js";
import { stallAtOnePercent } from "../tests/harness/runs.js";
import { wranglerDryRun } from "../tests/harness/tools.js";
import { sleep } from "../tests/harness/wait.js";
import { RECIPE_WORKER, RUST_WORKER, rssMb, startWorkers, workerdPid } from "../tests/harness/workerd.js";
import { load } from "./load.js";

const PEERS = [
  RUST_WORKER,
  RECIPE_WORKER,
  { name: "js-pull", modules: { "js-pull-stream.js": "bench/peers/js-pull-stream.js" } },
  { name: "static", modules: { "static-body.js": "bench/peers/static-body.js" } },
  { name: "hello", modules: { "index.js": "bench/hello/build/index.js", "index_bg.wasm": "bench/hello/build/index_bg.wasm" } },
];
const RUST = RUST_WORKER.name;
const RECIPE = RECIPE_WORKER.name;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (value, digits = 2) => Number(value.toFixed(digits));
const ratio = (ours, theirs) => round(ours / theirs, 3);

// ---------------------------------------------------------------- workerd

/** CPU time (user + system) of a process, in ms. */
async function cpuMs(pid) {
  const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1].split(" ");
  // utime and stime are fields 14 and 15 of stat; here counted after "comm".
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

// ---------------------------------------------------------------- 1. bundle

async function dryRun(cwd) {
  const { stdout, uploadKiB, gzipKiB } = await wranglerDryRun(cwd);
  if (gzipKiB === null) throw new Error(`wrangler reported no upload size:\n${stdout}`);
  return { uploadKiB, gzipKiB };
}

async function wasmGzipKiB(file) {
  return round(gzipSync(await readFile(path.join(ROOT, file)), { level: 9 }).length / 1024);
}

async function bundle() {
  const ours = { ...(await dryRun(ROOT)), wasmGzipKiB: await wasmGzipKiB("build/index_bg.wasm") };
  const hello = {
    ...(await dryRun(path.join(ROOT, "bench/hello"))),
    wasmGzipKiB: await wasmGzipKiB("bench/hello/build/index_bg.wasm"),
  };
  return {
    ours,
    hello,
    uploadGzipRatio: ratio(ours.gzipKiB, hello.gzipKiB),
    wasmGzipRatio: ratio(ours.wasmGzipKiB, hello.wasmGzipKiB),
    goal: "upload gzip at most 1.5 × hello-world",
  };
}

// ---------------------------------------------------------------- 2. latency

const DEMO_QUERY = "count=5&produceMs=10&readMs=10";

async function hintLatency(workerd, levels = [1, 16, 64], amount = 2000) {
  const rows = [];
  for (const connections of levels) {
    const url = (name) => new URL(`/api/handle-backpressure?${DEMO_QUERY}`, workerd.urls[name]).href;
    // Alternate the two peers, twice, and keep the better round of each, so
    // that neither always runs on a warmer (or busier) machine.
    const runs = { rust: [], js: [] };
    for (let round = 0; round < 2; round++) {
      runs.rust.push(await load(url(RUST), { connections, amount }));
      await sleep(500);
      runs.js.push(await load(url(RECIPE), { connections, amount }));
      await sleep(500);
    }
    const best = (list) => list.reduce((a, b) => (b.p50 < a.p50 ? b : a));
    const rust = best(runs.rust);
    const js = best(runs.js);
    rows.push({
      connections,
      amount,
      rust,
      js,
      p50Ratio: ratio(rust.p50, js.p50),
      p99Ratio: ratio(rust.p99, js.p99),
    });
  }
  return { query: DEMO_QUERY, rows, goal: "p50 and p99 within 10% of the JS recipe, no errors" };
}

// ---------------------------------------------------------------- 3. throughput

/** Reads a whole body as fast as possible; returns values/s and MB/s. */
async function fastRead(url, pathAndQuery, count) {
  const started = performance.now();
  const client = await rawGetToEnd(url, pathAndQuery, {}, 120_000);
  const seconds = (performance.now() - started) / 1000;
  const lines = client.lines.length;
  if (lines !== count) throw new Error(`${pathAndQuery}: ${lines} lines, expected ${count}`);
  return { seconds: round(seconds, 3), valuesPerSecond: Math.round(count / seconds), mbPerSecond: round(client.body.length / 1e6 / seconds) };
}

async function throughput(workerd, count = 50_000, repeats = 3) {
  const variants = [
    ["rust pull, batch 1", RUST, `/api/stream?count=${count}`],
    ...[16, 64, 256, 1024].map((batch) => [`rust pull, batch ${batch}`, RUST, `/api/stream?count=${count}&batch=${batch}`]),
    ["rust push, batch 1", RUST, `/api/stream?count=${count}&mode=push`],
    ["rust push, batch 256", RUST, `/api/stream?count=${count}&mode=push&batch=256`],
    ["js pull stream", "js-pull", `/?count=${count}`],
    ["static body", "static", `/?count=${count}`],
  ];
  const results = {};
  for (const [label] of variants) results[label] = [];
  // Round-robin, so that each variant sees the same machine.
  for (let round = 0; round < repeats; round++) {
    for (const [label, name, query] of variants) {
      results[label].push(await fastRead(workerd.urls[name], query, count));
    }
  }
  const rows = variants.map(([label]) => {
    const runs = results[label];
    const seconds = median(runs.map((r) => r.seconds));
    const run = runs.find((r) => r.seconds === seconds);
    return { label, ...run };
  });
  const js = rows.find((r) => r.label === "js pull stream");
  const staticBody = rows.find((r) => r.label === "static body");
  for (const row of rows) {
    row.vsJsPull = ratio(row.valuesPerSecond, js.valuesPerSecond);
    row.vsStatic = ratio(row.valuesPerSecond, staticBody.valuesPerSecond);
  }
  const pulls = rows.filter((r) => r.label.startsWith("rust pull, batch") && r.label !== "rust pull, batch 1");
  const best = pulls.reduce((a, b) => (b.valuesPerSecond > a.valuesPerSecond ? b : a));
  return { count, repeats, rows, bestBatch: best.label, goal: "batch 1 at least the JS pull stream; above it with batching" };
}

// ---------------------------------------------------------------- 4. CPU

async function cpuPerRun(workerd, pid, runs = 300) {
  const rustBefore = workerd.console.lines.length;
  const measure = async (name, isDone) => {
    await sleep(500);
    const before = await cpuMs(pid);
    const started = performance.now();
    await load(new URL(`/api/handle-backpressure?count=5&produceMs=1&readMs=1`, workerd.urls[name]).href, { connections: 20, amount: runs });
    await workerd.console.until(isDone, 60_000, `${runs} completed runs of ${name}`);
    const cpu = (await cpuMs(pid)) - before;
    return { runs, cpuMs: round(cpu), cpuMsPerRun: round(cpu / runs, 3), wallMs: Math.round(performance.now() - started) };
  };
  const rust = await measure(RUST, (lines) =>
    lines.slice(rustBefore).filter((l) => l.message.startsWith('{"run"') && l.message.includes('"outcome":"complete"')).length >= runs,
  );
  const jsBefore = workerd.console.lines.length;
  const js = await measure(RECIPE, (lines) => lines.slice(jsBefore).filter((l) => l.message === "Stream value: 5").length >= runs);
  return { rust, js, ratio: ratio(rust.cpuMsPerRun, js.cpuMsPerRun), freePlanLimitMs: 10, goal: "no more CPU per run than the JS recipe" };
}

// ---------------------------------------------------------------- 4b. CPU per streamed value

/**
 * workerd's CPU per 1,000 values streamed to a fast client, for the Rust
 * stream at batch 1 and batched and for the JS pull stream, in alternating
 * rounds (median of `rounds`), and what the largest stream allowed would
 * need at that rate, against the platform's limits.
 */
async function streamCpu(workerd, pid, { count = 100_000, rounds = 5 } = {}) {
  const variants = [
    ["rust pull, batch 1", RUST, `/api/stream?count=${count}`],
    ["rust pull, batch 64", RUST, `/api/stream?count=${count}&batch=64`],
    ["rust pull, batch 1024", RUST, `/api/stream?count=${count}&batch=1024`],
    ["js pull stream", "js-pull", `/?count=${count}`],
  ];
  const perThousand = Object.fromEntries(variants.map(([label]) => [label, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [label, name, query] of variants) {
      await sleep(200);
      const before = await cpuMs(pid);
      await fastRead(workerd.urls[name], query, count);
      perThousand[label].push(((await cpuMs(pid)) - before) / (count / 1000));
    }
  }
  const largest = 10_000_000;
  const rows = variants.map(([label]) => {
    const values = perThousand[label];
    const msPer1000 = median(values);
    return {
      label,
      cpuMsPer1000Values: round(msPer1000, 3),
      spread: [round(Math.min(...values), 3), round(Math.max(...values), 3)],
      cpuSecondsFor10MValues: round((msPer1000 * largest) / 1000 / 1000, 1),
    };
  });
  return { count, rounds, rows, limits: { freePlanMs: 10, paidDefaultSeconds: 30, paidMaxSeconds: 300 } };
}

// ---------------------------------------------------------------- 5. memory

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

// ---------------------------------------------------------------- report

function table(results) {
  const { bundle: b, latency, throughput: t, cpu, memory } = results;
  const lines = [];
  lines.push("| figure | Rust | peer | ratio | goal |", "|---|---|---|---|---|");
  lines.push(
    `| bundle, upload gzip (wrangler --dry-run) | ${b.ours.gzipKiB} KiB | hello-world ${b.hello.gzipKiB} KiB | ${b.uploadGzipRatio} | ≤ 1.5 |`,
    `| bundle, wasm gzip -9 | ${b.ours.wasmGzipKiB} KiB | hello-world ${b.hello.wasmGzipKiB} KiB | ${b.wasmGzipRatio} | |`,
  );
  for (const row of latency.rows) {
    lines.push(
      `| hint latency p50, ${row.connections} conn. | ${row.rust.p50} ms | JS recipe ${row.js.p50} ms | ${row.p50Ratio} | ≤ 1.1 |`,
      `| hint latency p99, ${row.connections} conn. | ${row.rust.p99} ms | JS recipe ${row.js.p99} ms | ${row.p99Ratio} | ≤ 1.1 |`,
    );
  }
  const js = t.rows.find((r) => r.label === "js pull stream");
  const staticBody = t.rows.find((r) => r.label === "static body");
  for (const row of t.rows.filter((r) => r.label.startsWith("rust"))) {
    lines.push(
      `| stream ${t.count} values, ${row.label} | ${row.valuesPerSecond} values/s, ${row.mbPerSecond} MB/s | JS pull ${js.valuesPerSecond} values/s; static ${staticBody.valuesPerSecond} | ${row.vsJsPull} (vs static ${row.vsStatic}) | ≥ 1 |`,
    );
  }
  lines.push(
    `| CPU per demo run | ${cpu.rust.cpuMsPerRun} ms | JS recipe ${cpu.js.cpuMsPerRun} ms | ${cpu.ratio} | ≤ 1 (free plan: 10 ms) |`,
  );
  for (const row of memory.rows) {
    lines.push(
      `| slow client, ${row.mode}, ${row.count} values | RSS ${row.rssGrowthMb >= 0 ? "+" : ""}${row.rssGrowthMb} MB, maxQueue ${row.maxQueue}, produced ${row.produced}${row.capped ? ", capped" : ""} | | | ${row.mode === "pull" ? "flat" : "capped"} |`,
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
    if (wanted("bundle")) results.bundle = await bundle();
    if (wanted("latency")) results.latency = await hintLatency(workerd);
    await sleep(1000);
    if (wanted("throughput")) results.throughput = await throughput(workerd);
    if (wanted("cpu")) results.cpu = await cpuPerRun(workerd, pid);
    if (wanted("streamCpu")) results.streamCpu = await streamCpu(workerd, pid);
    if (wanted("memory")) results.memory = await memoryUnderSlowClient(workerd, pid);
  } finally {
    await workerd.dispose();
  }
  // A run of some parts only updates those parts of the last full run.
  const latest = path.join(ROOT, "bench/results/latest.json");
  const merged = only.length === 0 ? results : { ...JSON.parse(await readFile(latest, "utf8")), ...results };
  await writeFile(latest, JSON.stringify(merged, null, 2) + "\n");
  if (only.length === 0) console.log(table(results));
  else console.log(JSON.stringify(results, null, 2));
}

await main();
