// `node bench/ab.js <build A> <build B> [rounds] [--stream <path> | --upload] [--until <text>]`:
// two builds of the worker (worker-build output folders, such as build/ and a
// copy of it from before a change) against each other in one workerd, in
// alternating rounds, which is how a change is judged here: a figure counts
// only when it beats the spread of the rounds.
//
//   node bench/ab.js <copy of build/ from before> build 11
//       CPU per demo request (`count=2&produceMs=1&readMs=1`, 1,000 requests a
//       round, each waited to its last line), above the workers-rs hello-world
//       floor, for A, B and the plain port (bench/plain-port), with A/B and
//       each against the plain port. `--until` names the last line's text when
//       a build does not write the summary (the default, `"outcome":"complete"`).
//   node bench/ab.js <copy of build/ from before> build 9 --stream '/api/stream?count=10000000&batch=8192&highWaterMark=64'
//       CPU per 1,000 values and values per second of one stream at a time,
//       read to its end over a raw socket. Streams of a second or more (as
//       here) tell a tenth apart; at 3,000,000 values the rounds' spread
//       hid changes of that size. `--stream-a <path>` gives build A a path
//       of its own, for a build that is not this worker:
//   node bench/ab.js bench/plain-port/build build 9 --stream-a '/stream?count=10000000&batch=8192' --stream '/api/stream?count=10000000&batch=8192&highWaterMark=64'
//       the plain Rust stream (the floor) against this worker.
//   node bench/ab.js <copy of build/ from before> build 11 --upload
//       MB per second and CPU per MB of an unpaced 16 MiB upload to
//       /api/ingest, one at a time.
//
// Needs `make hello` for the floors. Prints medians with (min–max).

import { parseArgs } from "node:util";
import { rawGetToEnd } from "../tests/harness/raw-http.js";
import { readTextToEnd } from "./read-fast.js";
import { timedUpload } from "./upload.js";
import { sleep } from "../tests/harness/wait.js";
import { builtWorker, startWorkers, workerdPid } from "../tests/harness/workerd.js";
import { load } from "./load.js";
import { alternating, cpuMs, median, spread } from "./measure.js";

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    stream: { type: "string" },
    "stream-a": { type: "string" },
    upload: { type: "boolean", default: false },
    until: { type: "string", default: '"outcome":"complete"' },
  },
});
const [buildA, buildB, rounds = "9"] = positionals;
if (!buildA || !buildB) throw new Error("usage: node bench/ab.js <build A> <build B> [rounds] [--stream <path> [--stream-a <path>]]");

const DEMO = "/api/handle-backpressure?count=2&produceMs=1&readMs=1";
const workers = [builtWorker("a", buildA), builtWorker("b", buildB)];
if (!options.stream && !options.upload) {
  workers.push(builtWorker("plain", "bench/plain-port/build"), builtWorker("hello", "bench/hello/build"));
}
const workerd = await startWorkers(workers);
const pid = await workerdPid();
// A text body is read by the client that keeps nothing (read-fast.js), so
// that the client does not set the pace; NDJSON by the raw client, whose
// lines are counted.
async function readToEnd(url, path, count) {
  if (new URL(path, "http://x").searchParams.get("format") !== "ndjson") return (await readTextToEnd(url, path, count)).seconds;
  const started = performance.now();
  const client = await rawGetToEnd(url, path, {}, 120_000);
  const seconds = (performance.now() - started) / 1000;
  const lines = client.body.split("\n").length - 1;
  // An NDJSON stream that completes ends with its summary line.
  if (lines !== count + 1) throw new Error(`${path}: ${lines} lines, expected ${count} values and a summary`);
  return seconds;
}
const show = (label, list, digits = 3) =>
  console.log(`${label.padEnd(28)} ${median(list).toFixed(digits)} (${spread(list).map((v) => v.toFixed(digits)).join("–")})`);

try {
  if (options.stream) {
    const paths = { a: options["stream-a"] ?? options.stream, b: options.stream };
    const count = Number(new URL(options.stream, "http://x").searchParams.get("count"));
    if (Number(new URL(paths.a, "http://x").searchParams.get("count")) !== count) throw new Error("both streams must have the same count");
    const runs = await alternating(["a", "b"], Number(rounds), async (name) => {
      await sleep(300);
      const before = await cpuMs(pid);
      const seconds = await readToEnd(workerd.urls[name], paths[name], count);
      return { cpuPer1000: ((await cpuMs(pid)) - before) / (count / 1000), perSecond: count / seconds };
    });
    for (const name of ["a", "b"]) {
      show(`${name}: CPU ms per 1,000 values`, runs[name].map((run) => run.cpuPer1000));
      show(`${name}: values per second`, runs[name].map((run) => run.perSecond), 0);
    }
    show("CPU, A/B", runs.a.map((run, i) => run.cpuPer1000 / runs.b[i].cpuPer1000));
    show("values per second, B/A", runs.a.map((run, i) => runs.b[i].perSecond / run.perSecond));
  } else if (options.upload) {
    const runs = await alternating(["a", "b"], Number(rounds), async (name) => {
      await sleep(300);
      return timedUpload(workerd.urls[name], "/api/ingest", pid);
    });
    for (const name of ["a", "b"]) {
      show(`${name}: CPU ms per MB`, runs[name].map((run) => run.cpuMsPerMb));
      show(`${name}: MB per second`, runs[name].map((run) => run.mbPerSecond), 1);
    }
    show("CPU, A/B", runs.a.map((run, i) => run.cpuMsPerMb / runs.b[i].cpuMsPerMb));
    show("MB per second, B/A", runs.a.map((run, i) => runs.b[i].mbPerSecond / run.mbPerSecond));
  } else {
    // The plain port writes no summary: its last line is the reader's last value.
    const lastLine = { a: options.until, b: options.until, plain: "Stream value: 2" };
    const runs = await alternating(["a", "b", "plain", "hello"], Number(rounds), async (name) => {
      const requests = name === "hello" ? 2000 : 1000;
      await sleep(400);
      const linesBefore = workerd.console.lines.length;
      const before = await cpuMs(pid);
      await load(new URL(name === "hello" ? "/" : DEMO, workerd.urls[name]).href, { connections: 20, amount: requests });
      if (lastLine[name]) {
        const done = (lines) =>
          lines.slice(linesBefore).filter((line) => line.message.includes(lastLine[name])).length >= requests;
        await workerd.console.until(done, 60_000, `${requests} runs of build ${name} to end`);
      }
      return ((await cpuMs(pid)) - before) / requests;
    });
    for (const name of ["a", "b", "plain", "hello"]) show(`${name}: CPU ms per request`, runs[name]);
    const above = (name, i) => runs[name][i] - runs.hello[i];
    const each = (f) => runs.a.map((_, i) => f(i));
    show("above the floor, A/B", each((i) => above("a", i) / above("b", i)));
    show("above the floor, A/plain", each((i) => above("a", i) / above("plain", i)));
    show("above the floor, B/plain", each((i) => above("b", i) / above("plain", i)));
  }
} finally {
  await workerd.dispose();
}
