// GET /api/proxy in workerd: the worker fetches /api/stream from its ORIGIN
// service binding (itself, as in wrangler.toml), transforms each value, and
// streams the result. Read over raw TCP where backpressure matters: a client
// that stops reading stalls the transform, which stalls the origin, and a
// client that hangs up ends both runs `cancelled`. An origin that is not a
// stream of values, or fails, is reported as such.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { rawGet } from "../harness/raw-http.js";
import { sleep } from "../harness/wait.js";
import { RUST_WORKER, startWorkers, summaryOf } from "../harness/workerd.js";

const workers = {};
before(async () => {
  Object.assign(
    workers,
    await startWorkers([
      RUST_WORKER,
      // The same worker with an origin that misbehaves.
      { ...RUST_WORKER, name: "proxy-of-a-bad-origin", assets: undefined, services: { ORIGIN: "bad-origin" } },
      { name: "bad-origin", modules: { "bad-origin.js": "tests/fixtures/bad-origin.js" } },
      // The same worker deployed without its bindings.
      { ...RUST_WORKER, name: "without-bindings", assets: undefined, services: {} },
    ]),
  );
});
after(async () => {
  await workers.dispose?.();
});

const url = (path) => new URL(path, workers.urls["handling-backpressure"]);

/** Fetches `path` and reads it to its end; returns the response, its text and both run ids. */
async function proxied(path) {
  const response = await fetch(url(path));
  const text = await response.text();
  return { response, text, id: response.headers.get("x-run-id"), origin: response.headers.get("x-origin-run-id") };
}

describe("GET /api/proxy", () => {
  test("sends every value of the origin's stream with its square and the running sum, as text", async () => {
    const { response, text, id, origin } = await proxied("/api/proxy?count=1000&batch=7");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/plain; charset=utf-8");
    const lines = text.trimEnd().split("\n");
    assert.equal(lines.length, 1000);
    let sum = 0;
    lines.forEach((line, i) => {
      const value = i + 1;
      sum += value;
      assert.equal(line, `${value} ${value * value} ${sum}`);
    });
    const [proxy, stream] = await workers.console.summariesOf([id, origin], 5_000);
    assert.equal(stream.route, "stream");
    assert.equal(stream.batch, 7, "the origin got the parameters passed through");
    assert.equal(stream.outcome, "complete");
    assert.equal(proxy.route, "proxy");
    assert.equal(proxy.originRun, origin);
    assert.deepEqual([proxy.values, proxy.sent, proxy.outcome], [1000, 1000, "complete"]);
    assert.ok(proxy.maxQueue <= 1, `maxQueue ${proxy.maxQueue}`);
  });

  test("as NDJSON, passes the origin's summary through and ends with its own", async () => {
    const { response, text, id, origin } = await proxied("/api/proxy?count=300&format=ndjson&transformHighWaterMark=3");
    assert.equal(response.headers.get("content-type"), "application/x-ndjson");
    const objects = text.trimEnd().split("\n").map((line) => JSON.parse(line));
    const values = objects.slice(0, -2);
    assert.equal(values.length, 300);
    let sum = 0;
    values.forEach((object, i) => {
      sum += i + 1;
      assert.deepEqual(Object.keys(object), ["value", "square", "sum", "producedAt", "lead"]);
      assert.deepEqual([object.value, object.square, object.sum], [i + 1, (i + 1) ** 2, sum]);
    });
    const [originSummary, proxySummary] = objects.slice(-2);
    assert.deepEqual(originSummary, await workers.console.summaryOf(origin, 5_000));
    assert.deepEqual(proxySummary, await workers.console.summaryOf(id, 5_000));
    assert.equal(proxySummary.transformHighWaterMark, 3);
    assert.ok(proxySummary.maxQueue <= 3);
  });

  test("a client that stops reading stalls the origin at the same point for 100,000 and 10,000,000 values", async () => {
    const transformHighWaterMark = 4;
    const runs = [];
    for (const count of [100_000, 10_000_000]) {
      const client = rawGet(url("/"), `/api/proxy?count=${count}&transformHighWaterMark=${transformHighWaterMark}`);
      await client.until((c) => c.lines.length >= 1000, 30_000, "the first 1000 lines");
      client.pause();
      await sleep(2_000);
      const { "x-run-id": id, "x-origin-run-id": origin } = client.headers;
      client.destroy();
      const [proxy, stream] = await workers.console.summariesOf([id, origin], 10_000);
      runs.push({ count, proxy, stream });
      // The hang-up reached the origin through the transform.
      assert.equal(proxy.outcome, "cancelled", JSON.stringify(proxy));
      assert.equal(stream.outcome, "cancelled", JSON.stringify(stream));
      assert.ok(proxy.maxQueue <= transformHighWaterMark, `maxQueue ${proxy.maxQueue}`);
    }
    const [short, long] = runs;
    console.log(
      runs
        .map(
          ({ count, proxy, stream }) =>
            `proxy of ${count} values, client stalled after 1000 lines: origin produced ${stream.produced}, ` +
            `proxy transformed ${proxy.values}, maxQueue ${proxy.maxQueue} of ${transformHighWaterMark} ` +
            `(${proxy.maxQueueBytes} bytes)`,
        )
        .join("\n"),
    );
    // What the origin made is what the buffers between it and the client
    // took: the same whatever was asked for, and far below either count.
    assert.ok(short.stream.produced < 100_000, `the short one stalled too: ${short.stream.produced}`);
    assert.ok(long.stream.produced < 2 * short.stream.produced, `${long.stream.produced} vs ${short.stream.produced}`);
    assert.ok(short.stream.produced < 2 * long.stream.produced, `${short.stream.produced} vs ${long.stream.produced}`);
  });

  test("refuses bad parameters and other methods as JSON, and HEAD starts nothing", async () => {
    const before = workers.console.lines.length;
    for (const [query, parameter] of [
      ["mode=push", "mode"],
      ["transformHighWaterMark=17", "transformHighWaterMark"],
      ["count=0", "count"],
    ]) {
      const { response, text } = await proxied(`/api/proxy?${query}`);
      assert.equal(response.status, 400, text);
      assert.equal(JSON.parse(text).parameter, parameter);
    }
    const post = await fetch(url("/api/proxy"), { method: "POST", body: "x" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
    assert.equal((await post.json()).error, "method_not_allowed");
    const head = await fetch(url("/api/proxy?format=ndjson"), { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-type"), "application/x-ndjson");
    await sleep(200);
    assert.deepEqual(workers.console.lines.slice(before), [], "no run started, at the proxy or the origin");
  });
});

describe("GET /api/proxy with an origin that misbehaves", () => {
  const badUrl = (path) => new URL(path, workers.urls["proxy-of-a-bad-origin"]);

  test("an origin that does not answer with a stream is a 502 that says so", async () => {
    const response = await fetch(badUrl("/api/proxy?count=1"));
    assert.equal(response.status, 502);
    assert.deepEqual(await response.json(), {
      error: "bad_origin",
      message: "the origin failed: it answered 404, not a stream",
      originStatus: 404,
    });
  });

  test("a worker deployed without its bindings says which one is missing, and starts nothing", async () => {
    const bare = (path) => new URL(path, workers.urls["without-bindings"]);
    const from = workers.console.lines.length;
    const proxy = await fetch(bare("/api/proxy?count=1"));
    assert.equal(proxy.status, 500);
    assert.deepEqual(await proxy.json(), {
      error: "internal",
      message: "internal error: the worker has no ORIGIN service binding",
    });
    const page = await fetch(bare("/"));
    assert.equal(page.status, 500);
    assert.deepEqual(await page.json(), {
      error: "internal",
      message: "internal error: the worker has no ASSETS binding for the page's assets",
    });
    await sleep(200);
    assert.deepEqual(workers.console.lines.slice(from).map((line) => line.message), [], "no run started, nothing logged");
  });

  /** The summary of the next proxy run logged after console line `from`. */
  async function nextProxySummary(from) {
    const proxyRun = (lines) =>
      lines.slice(from).map((line) => summaryOf(line.message)).find((summary) => summary?.route === "proxy");
    await workers.console.until((lines) => proxyRun(lines) !== undefined, 5_000, "the proxy's summary");
    return proxyRun(workers.console.lines);
  }

  test("an origin that fails mid-stream breaks the client's body after what it sent", async () => {
    const from = workers.console.lines.length;
    const client = rawGet(badUrl("/"), "/api/proxy?count=2");
    await client.until((c) => c.ended, 10_000, "the end of the body");
    const summary = await nextProxySummary(from);
    assert.deepEqual([summary.values, summary.sent, summary.outcome], [2, 2, "originFailed"]);
    // The runtime drops the connection when the body errors, without the
    // chunked body's last chunk; a chunk still on its way may be lost with it.
    assert.ok(client.body.startsWith("1 1 1\n") && "1 1 1\n2 4 3\n".startsWith(client.body), JSON.stringify(client.body));
    assert.ok(!client.bytes.toString().includes("0\r\n\r\n"), "no clean end of the chunked body");
  });

  test("an origin line that is not a value stops the proxy and cancels the origin", async () => {
    const from = workers.console.lines.length;
    const client = rawGet(badUrl("/"), "/api/proxy?count=3");
    await client.until((c) => c.ended, 10_000, "the end of the body");
    const summary = await nextProxySummary(from);
    assert.deepEqual([summary.values, summary.chunksIn, summary.originRun, summary.outcome], [1, 2, "badbad00", "originFailed"]);
    assert.ok(!client.body.includes("2 4"), "nothing after the bad line reached the client");
    // The origin's body is cancelled within a chunk or two of the bad line
    // (the binding's pipe reads a little ahead), not read to its end.
    await workers.console.until(
      (lines) => lines.slice(from).some((line) => /^bad origin: body cancelled after [23] chunks$/.test(line.message)),
      5_000,
      "the origin's body cancelled after the bad line",
    );
    const warning = workers.console.run(summary.run).find((line) => line.level === "warn");
    assert.match(warning.message, /the origin sent a line that is not a value: "<html>": proxy stopped$/);
  });

  test("a client that leaves while the origin is still being fetched cancels the run once it answers", async () => {
    const from = workers.console.lines.length;
    const client = rawGet(badUrl("/"), "/api/proxy?count=4");
    await sleep(200);
    client.destroy();
    // The runtime finds the client gone when it writes the first chunks,
    // and cancels the body.
    const summary = await nextProxySummary(from);
    assert.equal(summary.outcome, "cancelled", JSON.stringify(summary));
    assert.ok(summary.sent < 1000, JSON.stringify(summary));
    await workers.console.until(
      (lines) => lines.slice(from).some((line) => /^bad origin: body cancelled after \d+ chunks$/.test(line.message)),
      5_000,
      "the slow origin's body cancelled",
    );
  });
});
