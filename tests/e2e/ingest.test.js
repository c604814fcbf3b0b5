// POST /api/ingest in workerd: a slow worker reads an upload a chunk at a
// time, and a client that sends faster is held back by TCP (measured over a
// raw socket); the upload's summary is the answer and the log's last line;
// too large, wrong method, wrong type and bad parameters are refused as JSON.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { rawUpload } from "../harness/raw-http.js";
import { sleep } from "../harness/wait.js";
import { useWorker } from "../harness/workerd.js";

const rust = useWorker();
const LIMIT = 16 * 1024 * 1024;

async function post(path, body, contentType = "text/plain") {
  const response = await fetch(new URL(path, rust.url), {
    method: "POST",
    headers: { "content-type": contentType },
    body,
  });
  return { response, text: await response.text() };
}

describe("POST /api/ingest", () => {
  test("reads an upload to its end and answers with its summary, which is also logged", async () => {
    const body = Array.from({ length: 1000 }, (_, i) => `${i + 1}\n`).join("");
    const { response, text } = await post("/api/ingest", body);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/json");
    const summary = JSON.parse(text);
    const id = response.headers.get("x-run-id");
    assert.equal(summary.run, id);
    assert.equal(summary.route, "ingest");
    assert.equal(summary.bytes, Buffer.byteLength(body));
    assert.equal(summary.lines, 1000);
    assert.ok(summary.chunks >= 1 && summary.largestChunk <= summary.bytes, text);
    assert.equal(summary.outcome, "complete");
    assert.deepEqual(await rust.console.summaryOf(id, 5_000), summary);
  });

  test("a slow worker holds a fast uploader back; an unpaced one takes the same body at once", async () => {
    // The runtime hands the body over in chunks of 4 KiB; at 5 ms a chunk the
    // worker reads at most about 0.8 MB/s.
    const size = LIMIT - 1024;
    const before = rust.console.lines.length;
    const slow = rawUpload(rust.url, "/api/ingest?readMs=5", { size, contentType: "application/octet-stream" });
    await sleep(2_000);
    const written = slow.upload.written;
    // The client gives up. The worker reads what the socket buffers still
    // hold, then finds the connection gone.
    slow.destroy();
    const summary = await waitForSummary(before, "cancelled", 40_000);
    console.log(
      `slow worker: the client wrote ${written} of ${size} bytes in 2 s; the worker read ${summary.bytes} ` +
        `in ${summary.chunks} chunks of at most ${summary.largestChunk} bytes, over ${summary.elapsedMs} ms`,
    );
    // Unpaced, the worker takes all of it in a fraction of a second; here the
    // client could write only what the worker had read (4 KiB per 5 ms at
    // most) plus what the socket buffers hold (a few MB on loopback).
    const readBound = 4096 * (2_000 / 5 + 1);
    const buffers = 8 * 1024 * 1024;
    assert.ok(written < size, `the client was held back: ${written} of ${size} bytes written`);
    assert.ok(written <= readBound + buffers, `${written} bytes written, more than ${readBound} read + ${buffers} of buffers`);
    assert.ok(summary.bytes <= written, JSON.stringify(summary));
    // It held one chunk at a time, whatever the size of the upload.
    assert.ok(summary.largestChunk <= 64 * 1024, JSON.stringify(summary));
    // Reading what the client had written took the worker far longer than
    // the 2 s the client spent writing it: it sat in socket buffers, not in
    // the worker.
    assert.ok(summary.elapsedMs > 3_000, JSON.stringify(summary));

    const fast = rawUpload(rust.url, "/api/ingest", { size, contentType: "application/octet-stream" });
    await fast.until((c) => c.ended, 20_000, "the unpaced upload's answer");
    assert.equal(fast.status, 200, fast.body);
    const done = JSON.parse(fast.body);
    assert.equal(done.bytes, size);
    assert.equal(done.lines, Math.floor(size / 16));
    assert.equal(done.outcome, "complete");
    assert.ok(done.elapsedMs < 2_000, `unpaced, ${size} bytes took ${done.elapsedMs} ms`);
  });

  test("refuses a body too large by its Content-Length before reading, and logs nothing", async () => {
    const before = rust.console.lines.length;
    const client = rawUpload(rust.url, "/api/ingest", { size: LIMIT + 1, headOnly: true });
    await client.until((c) => c.status !== undefined && c.body.includes("}"), 5_000, "the refusal");
    client.destroy();
    assert.equal(client.status, 413);
    const error = JSON.parse(client.body);
    assert.equal(error.error, "body_too_large");
    assert.equal(error.limitBytes, LIMIT);
    await sleep(300);
    assert.deepEqual(rust.console.lines.slice(before), []);
  });

  test("stops reading a chunked body at the limit: 413, and a tooLarge summary", async () => {
    const before = rust.console.lines.length;
    const client = rawUpload(rust.url, "/api/ingest", { size: LIMIT + 1024 * 1024, chunked: true });
    await client.until((c) => c.status !== undefined && c.body.includes("}"), 20_000, "the refusal");
    client.destroy();
    assert.equal(client.status, 413);
    assert.equal(JSON.parse(client.body).error, "body_too_large");
    const summary = await waitForSummary(before, "tooLarge");
    assert.ok(summary.bytes <= LIMIT, JSON.stringify(summary));
  });

  test("answers other methods with 405 and Allow: POST, a wrong type with 415, bad parameters with 400", async () => {
    const before = rust.console.lines.length;
    for (const method of ["GET", "HEAD", "PUT"]) {
      const response = await fetch(new URL("/api/ingest", rust.url), { method });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.get("allow"), "POST");
      await response.arrayBuffer();
    }
    const wrongType = await post("/api/ingest", "{}", "application/json");
    assert.equal(wrongType.response.status, 415);
    const error = JSON.parse(wrongType.text);
    assert.equal(error.error, "unsupported_media_type");
    assert.deepEqual(error.allowed, ["text/plain", "application/x-ndjson", "application/octet-stream"]);
    for (const query of ["readMs=10001", "readMs=abc", "count=1"]) {
      const { response, text } = await post(`/api/ingest?${query}`, "1\n");
      assert.equal(response.status, 400, `${query}: ${text}`);
    }
    await sleep(300);
    assert.deepEqual(rust.console.lines.slice(before), [], "nothing was started");
  });
});

/** The next ingest summary logged after line `before`, which must end so. */
async function waitForSummary(before, outcome, timeoutMs = 20_000) {
  let found;
  await rust.console.until(
    (lines) => {
      found = lines
        .slice(before)
        .map((l) => (l.message.startsWith('{"run"') ? JSON.parse(l.message) : undefined))
        .find((s) => s?.route === "ingest");
      return found !== undefined;
    },
    timeoutMs,
    "an ingest summary",
  );
  assert.equal(found.outcome, outcome, JSON.stringify(found));
  return found;
}
