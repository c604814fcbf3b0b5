// /api/stream in real workerd, read over raw TCP where backpressure matters:
// a client that stops reading stalls the pull producer with a bounded lead,
// fills push mode's queue to its cap, and a disconnect stops production.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { PUSH_CAP_VALUES } from "../harness/project.js";
import { rawGet, rawGetToEnd } from "../harness/raw-http.js";
import { assertNothingMadeAfterCancel, stallAtOnePercent } from "../harness/runs.js";
import { sleep } from "../harness/wait.js";
import { RUST_WORKER, useWorker } from "../harness/workerd.js";

const rust = useWorker();

/**
 * Reads 1% of a stream, then stops reading for `stallMs`, then hangs up.
 * Returns the run's summary and its lines while the client was stalled.
 */
function readOnePercentThenStall(query, count, stallMs) {
  return stallAtOnePercent(rust, query, count, { stallMs, whileStalled: (id) => rust.console.texts(id) });
}

describe("a client that stops reading", () => {
  test("stalls the pull producer with the same bounded lead for 10,000 and 1,000,000 values", async () => {
    const highWaterMark = 4;
    const results = [];
    for (const count of [10_000, 1_000_000]) {
      const { summary } = await readOnePercentThenStall(`highWaterMark=${highWaterMark}`, count);
      results.push(summary);
      assert.equal(summary.mode, "pull");
      assert.equal(summary.maxQueue, highWaterMark, JSON.stringify(summary));
      assert.equal(summary.maxLead, highWaterMark - 1, JSON.stringify(summary));
    }
    const [short, long] = results;
    // The long stream stalled: what was made is what the socket buffers took,
    // plus at most highWaterMark values waiting in the worker.
    assert.equal(long.outcome, "cancelled");
    assert.ok(long.produced < 1_000_000 / 2, `produced ${long.produced}`);
    assert.ok(long.produced - long.sent <= highWaterMark);
    assert.equal(short.maxQueue, long.maxQueue);
    console.log(
      `pull, highWaterMark ${highWaterMark}, client stalled at 1%: ` +
        `10,000 values → produced ${short.produced}, maxQueue ${short.maxQueue}; ` +
        `1,000,000 values → produced ${long.produced}, maxQueue ${long.maxQueue}`,
    );
  });

  test("lets push mode's queue grow until the cap stops the producer", async () => {
    const { summary, stalled } = await readOnePercentThenStall("mode=push", 1_000_000);
    assert.ok(
      stalled.some((line) => line.startsWith("push queue reached its cap")),
      stalled.join("\n"),
    );
    assert.equal(summary.mode, "push");
    assert.equal(summary.capped, true);
    assert.equal(summary.maxQueue, PUSH_CAP_VALUES);
    assert.equal(summary.outcome, "cancelled");
    console.log(`push, client stalled at 1%: produced ${summary.produced}, maxQueue ${summary.maxQueue}`);
  });

  test("holds a batched pull stream to max(highWaterMark, batch) waiting values", async () => {
    for (const [highWaterMark, batch] of [
      [0, 1],
      [2, 16],
      [64, 8],
    ]) {
      const { summary } = await readOnePercentThenStall(
        `highWaterMark=${highWaterMark}&batch=${batch}`,
        1_000_000,
        600,
      );
      // The bound is reached (the feed queues what it may) and never passed.
      const bound = Math.max(highWaterMark, batch);
      assert.equal(summary.maxQueue, bound, JSON.stringify(summary));
      assert.equal(summary.maxLead, bound - 1, JSON.stringify(summary));
      assert.equal(summary.outcome, "cancelled");
    }
  });
});

describe("a client that goes away mid-stream", () => {
  for (const mode of ["pull", "push"]) {
    test(`stops ${mode} production when the client hangs up, and logs cancelled`, async () => {
      const client = rawGet(rust.url, `/api/stream?count=1000&produceMs=20&mode=${mode}`);
      await client.until((c) => c.lines.length >= 10, 10_000, "10 values");
      const id = client.headers["x-run-id"];
      client.destroy();
      const summary = await rust.console.summaryOf(id, 10_000);
      assert.equal(summary.outcome, "cancelled");
      assert.ok(summary.produced < 1000);
      // Nothing more is made after the cancel, however long we wait.
      await sleep(300);
      assertNothingMadeAfterCancel(rust.console.texts(id), summary);
    });
  }
});

describe("each disconnect path on its own", () => {
  // A client that goes away fires both paths at once, so a driver in the same
  // isolate (tests/fixtures/disconnect-driver.js) fires one and not the other.
  const driver = useWorker({
    name: "disconnect-driver",
    modules: { "driver.js": "tests/fixtures/disconnect-driver.js", ...RUST_WORKER.modules },
  });

  for (const [how, reason] of [
    ["signal", "the client went away"],
    ["body", "the body was cancelled"],
  ]) {
    for (const query of ["count=1000&produceMs=50", "count=100000"]) {
      test(`${how === "signal" ? "the request's signal alone" : "the body's cancel alone"} stops the stream (${query})`, async () => {
        const path = encodeURIComponent(`/api/stream?${query}`);
        const response = await fetch(new URL(`/?how=${how}&path=${path}`, driver.url));
        const id = await response.text();
        assert.equal(response.status, 200, id);
        const summary = await driver.console.summaryOf(id, 10_000);
        assert.equal(summary.outcome, "cancelled");
        await sleep(300);
        assertNothingMadeAfterCancel(driver.console.texts(id), summary, { reason });
        assert.ok(summary.produced <= summary.sent + 1, JSON.stringify(summary));
      });
    }
  }
});

describe("a fast client", () => {
  for (const mode of ["pull", "push"]) {
    for (const batch of [1, 16, 256]) {
      test(`receives every value in order exactly once (${mode}, batch ${batch})`, async () => {
        const count = 20_000;
        const client = await rawGetToEnd(rust.url, `/api/stream?count=${count}&mode=${mode}&batch=${batch}`);
        assert.equal(client.status, 200);
        assert.equal(client.headers["content-type"], "text/plain; charset=utf-8");
        const expected = Array.from({ length: count }, (_, i) => String(i + 1));
        assert.deepEqual(client.lines, expected);
        const summary = await rust.console.summaryOf(client.headers["x-run-id"], 10_000);
        assert.equal(summary.outcome, "complete");
        assert.equal(summary.sent, count);
      });
    }
  }

  test("gets NDJSON lines with producedAt and lead, and the summary last", async () => {
    const response = await fetch(new URL("/api/stream?count=50&format=ndjson&batch=5&produceMs=1", rust.url));
    assert.equal(response.headers.get("content-type"), "application/x-ndjson");
    const lines = (await response.text()).trimEnd().split("\n").map((line) => JSON.parse(line));
    const values = lines.slice(0, -1);
    assert.deepEqual(
      values.map((line) => line.value),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    for (const line of values) {
      assert.deepEqual(Object.keys(line), ["value", "producedAt", "lead"]);
      assert.ok(Number.isInteger(line.producedAt) && line.producedAt >= 0);
      assert.ok(line.lead >= 0 && line.lead <= 4, JSON.stringify(line));
    }
    const summary = lines.at(-1);
    assert.equal(summary.event, "summary");
    assert.equal(summary.run, response.headers.get("x-run-id"));
    assert.equal(summary.outcome, "complete");
  });
});

describe("refusals", () => {
  test("bad parameters get 400 with a JSON error naming them, and nothing is produced", async () => {
    const before = rust.console.lines.length;
    for (const [query, parameter] of [
      ["count=0", "count"],
      ["count=10000001", "count"],
      ["highWaterMark=65", "highWaterMark"],
      ["batch=0", "batch"],
      ["batch=8193", "batch"],
      ["mode=PUSH", "mode"],
      ["mode=", "mode"],
      ["format=csv", "format"],
      ["readMs=5", "readMs"],
      ["mode=pull&mode=push", "mode"],
    ]) {
      const response = await fetch(new URL(`/api/stream?${query}`, rust.url));
      assert.equal(response.status, 400, query);
      const body = await response.json();
      assert.equal(body.parameter, parameter, query);
      assert.ok(body.message.includes(parameter), query);
    }
    const head = await fetch(new URL("/api/stream?format=ndjson", rust.url), { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-type"), "application/x-ndjson");
    await sleep(300);
    assert.deepEqual(rust.console.lines.slice(before), []);
  });
});

describe("the log of one invocation", () => {
  test("stays within 128 KB for a 10,000-value paced stream, with its first and last values and its summary", async () => {
    const client = await rawGetToEnd(rust.url, "/api/stream?count=10000&produceMs=1&batch=64", {}, 120_000);
    assert.equal(client.lines.length, 10_000);
    const id = client.headers["x-run-id"];
    const summary = await rust.console.summaryOf(id, 10_000);
    assert.equal(summary.outcome, "complete");
    const lines = rust.console.run(id).map((line) => line.message);
    const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
    console.log(`10,000 paced values: ${lines.length} console lines, ${bytes} bytes`);
    assert.ok(bytes <= 128 * 1024, `${bytes} bytes`);
    const texts = rust.console.texts(id);
    assert.ok(texts.includes("yielding 1") && texts.includes("yielding 10000"), texts.slice(-14).join("\n"));
    assert.ok(texts.some((text) => /^\d+ more lines like the next ones were left out/.test(text)));
    assert.equal(texts.at(-1), JSON.stringify(summary));
  });
});
