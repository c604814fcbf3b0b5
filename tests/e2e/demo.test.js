// The built worker in real workerd: the route answers at once, the demo runs
// in the background and logs the recipe's sequence, bad input starts nothing.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { sleep } from "../harness/wait.js";
import { RECIPE_WORKER, bare, summaryOf, useWorker } from "../harness/workerd.js";

const HINT = "Check your console to see the result!";
const RECIPE_LINE = /^(yielding|Stream value:) \d+$/;

const rust = useWorker();

/** Starts a run and returns its id and the time its response was complete. */
async function startRun(query = "") {
  const response = await fetch(new URL(`/api/handle-backpressure${query}`, rust.url));
  const body = await response.text();
  const answeredAt = performance.now();
  assert.equal(response.status, 200, body);
  const id = response.headers.get("x-run-id");
  assert.match(id, /^[0-9a-f]{8}$/);
  return { id, body, response, answeredAt };
}

describe("GET /api/handle-backpressure", () => {
  test("answers at once with the recipe's hint, before the second value is read", async () => {
    const { id, body, response, answeredAt } = await startRun();
    const linesAtAnswer = rust.console.texts(id);
    assert.equal(body, HINT);
    assert.equal(response.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(response.headers.get("cache-control"), "no-store");
    assert.ok(!linesAtAnswer.includes("Stream value: 2"), linesAtAnswer.join("\n"));

    const summary = await rust.console.summaryOf(id, 15_000);
    const second = rust.console.run(id).find((l) => bare(l.message) === "Stream value: 2");
    assert.ok(second.at > answeredAt, "the second value was read after the answer arrived");
    assert.equal(summary.outcome, "complete");
  });

  test("logs the recipe's sequence and then only its summary, which has the parameters and the release", async () => {
    const { id } = await startRun("?readMs=100&produceMs=10");
    const summary = await rust.console.summaryOf(id, 10_000);
    const lines = rust.console.texts(id);
    assert.deepEqual(lines, [
      "yielding 1",
      "Stream value: 1",
      "yielding 2",
      "Stream value: 2",
      "yielding 3",
      "Stream value: 3",
      "yielding 4",
      "Stream value: 4",
      "yielding 5",
      "Stream value: 5",
      "yielding 6",
      lines.at(-1),
    ]);
    assert.deepEqual(summaryOf(lines.at(-1)), summary);
    assert.equal(summary.run, id);
    assert.equal(summary.event, "summary");
    assert.equal(summary.produced, 6);
    assert.equal(summary.consumed, 5);
    assert.equal(summary.maxLead, 1);
    assert.deepEqual(
      [summary.count, summary.produceMs, summary.readMs, summary.highWaterMark],
      [5, 10, 100, 1],
    );
    assert.equal(summary.released, true);
    assert.equal(summary.outcome, "complete");
    // Five reads, each followed by a 100 ms pause; generous for a shared machine.
    assert.ok(summary.elapsedMs >= 490 && summary.elapsedMs < 5_000, `elapsedMs ${summary.elapsedMs}`);
  });

  test("a cancel in the middle of the generator's pause releases it at once, before the summary", async () => {
    // The generator pauses 3 s before each value after the first; the reader
    // cancels 10 ms after its second read, while the third value is pausing.
    const { id } = await startRun("?count=2&produceMs=3000&readMs=10");
    const summary = await rust.console.summaryOf(id, 15_000);
    const readAt = rust.console.run(id).find((l) => bare(l.message) === "Stream value: 2").at;
    // Long enough for the aborted pause to have ended, had it not been aborted.
    await sleep(3_500);
    const lines = rust.console.run(id);
    const texts = lines.map((l) => bare(l.message));
    assert.deepEqual(texts.slice(-2), ["Stream value: 2", texts.at(-1)], "nothing made after the cancel");
    assert.deepEqual(summaryOf(texts.at(-1)), summary);
    assert.equal(summary.produced, 2);
    assert.equal(summary.released, true);
    const summaryAt = lines.at(-1).at;
    assert.ok(summaryAt - readAt < 1_000, `released ${summaryAt - readAt} ms after the last read, not after the pause`);
  });

  for (const highWaterMark of [0, 1, 3]) {
    test(`holds a fast producer to highWaterMark ${highWaterMark} values ahead`, async () => {
      const { id } = await startRun(`?count=12&produceMs=0&readMs=20&highWaterMark=${highWaterMark}`);
      const summary = await rust.console.summaryOf(id, 10_000);
      // The bound is reached (the queue is used) and never passed.
      assert.equal(summary.maxLead, highWaterMark);
      assert.equal(summary.consumed, 12);
      // workerd refills its queue only once a read finds it empty, not after
      // every read as the spec's reference does, so the count at the end is
      // anywhere from none to highWaterMark values ahead.
      assert.ok(summary.produced >= 12 && summary.produced <= 12 + highWaterMark, `produced ${summary.produced}`);
    });
  }

  test("keeps the lines of concurrent runs apart by run id", async () => {
    const runs = await Promise.all([
      startRun("?count=3&readMs=60&produceMs=5"),
      startRun("?count=4&readMs=45&produceMs=7"),
      startRun("?count=2&readMs=80&produceMs=3&highWaterMark=2"),
    ]);
    assert.equal(new Set(runs.map((r) => r.id)).size, 3);
    for (const [run, count] of runs.map((r, i) => [r, [3, 4, 2][i]])) {
      const summary = await rust.console.summaryOf(run.id, 10_000);
      assert.equal(summary.consumed, count);
      const values = rust.console.texts(run.id).filter((m) => m.startsWith("Stream value:"));
      assert.deepEqual(
        values,
        Array.from({ length: count }, (_, i) => `Stream value: ${i + 1}`),
      );
    }
  });
});

describe("parity with the JS recipe in the same workerd", () => {
  const recipe = useWorker(RECIPE_WORKER);

  test("the same lines in the same order, each within 60 ms of the recipe's", async () => {
    // The recipe's own parameters, both workers started together.
    const start = async (worker) => {
      const response = await fetch(new URL("/api/handle-backpressure", worker.url));
      const body = await response.text();
      return { at: performance.now(), body, id: response.headers.get("x-run-id") };
    };
    const [js, rs] = await Promise.all([start(recipe), start(rust)]);
    assert.equal(rs.body, js.body);
    await rust.console.summaryOf(rs.id, 15_000);
    await recipe.console.until((lines) => lines.some((l) => l.message === "yielding 6"), 10_000);

    const timeline = (lines, answeredAt) =>
      lines
        .map((l) => ({ line: bare(l.message), offset: l.at - answeredAt }))
        .filter(({ line }) => RECIPE_LINE.test(line));
    const jsLines = timeline(recipe.console.lines, js.at);
    const rsLines = timeline(rust.console.run(rs.id), rs.at);

    assert.deepEqual(
      rsLines.map((l) => l.line),
      jsLines.map((l) => l.line),
    );
    assert.equal(rsLines.length, 11);
    const drifts = rsLines.map((l, i) => Math.round(l.offset - jsLines[i].offset));
    const report = rsLines
      .map((l, i) => `${l.line.padEnd(16)} js ${Math.round(jsLines[i].offset)} ms, rust ${Math.round(l.offset)} ms`)
      .join("\n");
    console.log(report);
    for (const drift of drifts) assert.ok(Math.abs(drift) <= 60, `drift ${drift} ms\n${report}`);
  });
});

describe("refusals", () => {
  const BAD = [
    ["count=0", "count"],
    ["count=101", "count"],
    ["count=", "count"],
    ["count", "count"],
    ["count=abc", "count"],
    ["count=-1", "count"],
    ["count=2.5", "count"],
    ["count=1e2", "count"],
    ["count=%2B5", "count"],
    ["count=99999999999999999999999", "count"],
    ["produceMs=10001", "produceMs"],
    ["readMs=-0", "readMs"],
    ["highWaterMark=17", "highWaterMark"],
    ["count=3&count=3", "count"],
    ["loopCount=3", "loopCount"],
    ["count=%E2%82%AC", "count"],
  ];

  test("bad parameters get 400 with a JSON error naming them, and no demo starts", async () => {
    const before = rust.console.lines.length;
    for (const [query, parameter] of BAD) {
      const response = await fetch(new URL(`/api/handle-backpressure?${query}`, rust.url));
      assert.equal(response.status, 400, query);
      assert.equal(response.headers.get("content-type"), "application/json", query);
      assert.equal(response.headers.get("x-run-id"), null, query);
      const body = await response.json();
      assert.equal(body.parameter, parameter, query);
      assert.ok(body.message.includes(parameter), query);
      assert.ok(body.allowed !== undefined || body.error === "repeated_parameter", query);
    }
    const tooLong = await fetch(new URL("/api/handle-backpressure?count=30&readMs=1000", rust.url));
    assert.equal(tooLong.status, 400);
    assert.deepEqual(
      { ...(await tooLong.json()), message: undefined },
      { error: "run_too_long", message: undefined, plannedMs: 32_900, limitMs: 25_000 },
    );
    await sleep(300);
    assert.deepEqual(rust.console.lines.slice(before), [], "nothing was logged: no demo started");
  });

  test("HEAD answers like GET without a body and starts nothing", async () => {
    const before = rust.console.lines.length;
    const response = await fetch(new URL("/api/handle-backpressure", rust.url), { method: "HEAD" });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(await response.text(), "");
    await sleep(300);
    assert.deepEqual(rust.console.lines.slice(before), []);
  });

  test("other methods get 405 with Allow, other paths 404, both as JSON", async () => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const response = await fetch(new URL("/api/handle-backpressure", rust.url), { method });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.get("allow"), "GET, HEAD");
      assert.equal((await response.json()).error, "method_not_allowed");
    }
    for (const path of ["/api", "/api/handle-backpressure/", "/favicon.ico", "/page.map"]) {
      const response = await fetch(new URL(path, rust.url));
      assert.equal(response.status, 404, path);
      const body = await response.json();
      assert.equal(body.error, "not_found");
      assert.equal(body.path, path);
    }
  });

  test("nothing in the console was an error or a panic", () => {
    const errors = rust.console.lines.filter((l) => l.level === "error" || /panicked/.test(l.message));
    assert.deepEqual(errors, []);
  });
});
