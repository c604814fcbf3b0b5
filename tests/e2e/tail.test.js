// The tail path, locally: a tail consumer on the Rust worker (as `wrangler
// tail` is on a deployed one) receives, in the trace event of the request that
// started a run, every line of that run, those written in `ctx.wait_until`
// after the response included; a refused request brings no line. The
// README's `jq` filters then pick the summaries and one run's lines out of
// the events.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { README_JQ_FILTERS } from "../harness/readme.js";
import { skipUnless } from "../harness/tools.js";
import { waitUntil } from "../harness/wait.js";
import { RUST_WORKER, startWorkers } from "../harness/workerd.js";

const JQ = "/usr/bin/jq";
let workers;
before(async () => {
  workers = await startWorkers([
    { ...RUST_WORKER, tailConsumers: [{ worker: "tail" }] },
    { name: "tail", modules: { "tail.js": "tests/fixtures/tail-collector.js" } },
  ]);
});
after(async () => {
  await workers?.dispose();
});

/** The trace events the tail worker has received, as JSON lines. */
async function tailEvents() {
  const text = await (await fetch(workers.urls.tail)).text();
  return text === "" ? [] : text.split("\n");
}

/** The console lines of a trace event. */
function messages(event) {
  return event.logs.map((log) => log.message[0]);
}

test("the trace event of the request that started a run carries every line of the run", async () => {
  const response = await fetch(new URL("/api/handle-backpressure?count=3&readMs=50&produceMs=10", workers.urls[RUST_WORKER.name]));
  assert.equal(response.status, 200);
  await response.text();
  const id = response.headers.get("x-run-id");
  const summary = await workers.console.summaryOf(id, 10_000);
  const event = await waitUntil(
    async () => (await tailEvents()).map((line) => JSON.parse(line)).find((e) => messages(e).some((m) => m.includes(`"run":"${id}"`))),
    { timeoutMs: 10_000, what: `the trace event of run ${id}` },
  );
  const consoleLines = workers.console.run(id).map((line) => line.message);
  assert.deepEqual(messages(event), consoleLines, "the same lines, in the same order");
  // A `yielding` line per value made, a `Stream value` line per value read,
  // then the summary: all of them, those written after the response too.
  assert.equal(summary.consumed, 3);
  assert.equal(messages(event).length, summary.produced + summary.consumed + 1, "every line of the run is there");
  for (const message of messages(event)) {
    assert.ok(message.startsWith(`[run ${id}] `) || message.includes(`"run":"${id}"`), message);
  }
  assert.deepEqual(JSON.parse(messages(event).at(-1)), summary);
});

test("a refused request brings an event with no line", async () => {
  const before = (await tailEvents()).length;
  const response = await fetch(new URL("/api/handle-backpressure?count=0", workers.urls[RUST_WORKER.name]));
  assert.equal(response.status, 400);
  const events = await waitUntil(
    async () => {
      const lines = await tailEvents();
      return lines.length > before ? lines.slice(before).map((line) => JSON.parse(line)) : undefined;
    },
    { timeoutMs: 10_000, what: "the refused request's trace event" },
  );
  assert.deepEqual(events.flatMap(messages), []);
});

test("the README's jq filters pick the summaries and one run's lines out of the events", { skip: skipUnless(existsSync(JQ), `the jq test needs jq at ${JQ} (apt-get install jq)`) }, async () => {
  const ids = [];
  for (let i = 0; i < 2; i++) {
    const response = await fetch(new URL("/api/handle-backpressure?count=2&readMs=10&produceMs=0", workers.urls[RUST_WORKER.name]));
    await response.text();
    ids.push(response.headers.get("x-run-id"));
  }
  await workers.console.summariesOf(ids, 10_000);
  const events = await waitUntil(
    async () => {
      const lines = await tailEvents();
      return ids.every((id) => lines.some((line) => line.includes(`\\"run\\":\\"${id}\\"`))) ? lines : undefined;
    },
    { timeoutMs: 10_000, what: "both runs' trace events" },
  );
  const input = events.join("\n") + "\n";
  const jq = async (filter, raw) => {
    const child = promisify(execFile)(JQ, [raw ? "-r" : "-c", filter], { maxBuffer: 16 << 20 });
    child.child.stdin.end(input);
    return (await child).stdout.trim().split("\n").filter((line) => line !== "");
  };
  const summaries = (await jq(README_JQ_FILTERS.summaries, false)).map((line) => JSON.parse(line));
  for (const id of ids) {
    assert.deepEqual(
      summaries.filter((summary) => summary.run === id),
      [workers.console.summary(id)],
    );
  }
  const oneRun = await jq(README_JQ_FILTERS.oneRun.replace("96b1e2a0", ids[0]), true);
  assert.deepEqual(
    oneRun,
    workers.console.run(ids[0]).map((line) => line.message).filter((message) => message.startsWith("[run ")),
  );
});
