// What the README promises of the worker's HTTP answers, each checked in real
// workerd: the page's Content-Security-Policy, HEAD with an empty body and no
// run, Allow on every 405, each route's Cache-Control, compression for text
// and none for NDJSON, and the NDJSON summary after a capped stream.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { rawGetToEnd } from "../harness/raw-http.js";
import { sleep } from "../harness/wait.js";
import { useWorker } from "../harness/workerd.js";

const rust = useWorker();

const ROUTES = ["/", "/api/handle-backpressure", "/api/stream"];

/** Sends a request and reads its whole body as bytes. */
async function send(path, init = {}) {
  const response = await fetch(new URL(path, rust.url), init);
  const body = Buffer.from(await response.arrayBuffer());
  return { response, body };
}

describe("the page", () => {
  test("is served with a Content-Security-Policy that allows no request outside the worker", async () => {
    const { response, body } = await send("/");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.ok(body.toString().startsWith("<!doctype html>"), body.toString().slice(0, 40));
    const policy = Object.fromEntries(
      response.headers
        .get("content-security-policy")
        .split(";")
        .map((directive) => directive.trim().split(/\s+/))
        .map(([name, ...sources]) => [name, sources]),
    );
    assert.deepEqual(policy["default-src"], ["'none'"]);
    assert.deepEqual(policy["connect-src"], ["'self'"]);
    assert.deepEqual(policy["frame-ancestors"], ["'none'"]);
    assert.deepEqual(policy["base-uri"], ["'none'"]);
    assert.deepEqual(policy["form-action"], ["'none'"]);
    // The script and the styles are files of the worker's own; nothing inline runs.
    assert.deepEqual(policy["script-src"], ["'self'"]);
    assert.deepEqual(policy["style-src"], ["'self'"]);
    for (const [name, sources] of Object.entries(policy)) {
      for (const source of sources) {
        assert.ok(["'none'", "'self'", "data:"].includes(source), `${name} allows ${source}`);
      }
    }
  });

  test("loads its script and styles from the static assets, with nosniff and a validator", async () => {
    const { body } = await send("/");
    for (const [file, type] of [["/page.js", "text/javascript; charset=utf-8"], ["/page.css", "text/css; charset=utf-8"]]) {
      assert.ok(body.toString().includes(`"${file}"`), `the page refers to ${file}`);
      const { response, body: asset } = await send(file);
      assert.equal(response.status, 200, file);
      assert.equal(response.headers.get("content-type"), type);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");
      assert.ok(asset.length > 1000, `${file} has ${asset.length} bytes`);
      const etag = response.headers.get("etag");
      assert.match(etag, /^"[0-9a-f]+"$/);
      const again = await send(file, { headers: { "if-none-match": etag } });
      assert.equal(again.response.status, 304, file);
    }
  });

  test("is at / only: /index.html redirects there, as the platform does for HTML assets", async () => {
    const { response } = await send("/index.html", { redirect: "manual" });
    assert.equal(response.status, 307);
    assert.equal(new URL(response.headers.get("location"), rust.url).pathname, "/");
  });

  test("answers a conditional request for itself with 304 and no body", async () => {
    const { response } = await send("/");
    const etag = response.headers.get("etag");
    assert.match(etag, /^"[0-9a-f]+"$/);
    const again = await send("/", { headers: { "if-none-match": etag } });
    assert.equal(again.response.status, 304);
    assert.equal(again.body.length, 0);
    assert.match(again.response.headers.get("content-security-policy"), /^default-src 'none'/);
  });
});

describe("HEAD", () => {
  for (const [path, type, cacheControl] of [
    ["/", "text/html; charset=utf-8", "public, max-age=300"],
    ["/api/handle-backpressure", "text/plain; charset=utf-8", "no-store"],
    ["/api/stream", "text/plain; charset=utf-8", "no-store, no-transform"],
    ["/api/stream?format=ndjson", "application/x-ndjson", "no-store, no-transform"],
  ]) {
    test(`on ${path} answers GET's headers with an empty body and starts no run`, async () => {
      const before = rust.console.lines.length;
      const { response, body } = await send(path, { method: "HEAD" });
      assert.equal(response.status, 200);
      assert.equal(body.length, 0);
      assert.equal(response.headers.get("content-type"), type);
      assert.equal(response.headers.get("cache-control"), cacheControl);
      assert.equal(response.headers.get("x-run-id"), null, "HEAD names no run");
      await sleep(300);
      assert.deepEqual(rust.console.lines.slice(before), [], "HEAD started a run");
    });
  }

  test("still refuses bad parameters, as GET would", async () => {
    const { response } = await send("/api/stream?batch=0", { method: "HEAD" });
    assert.equal(response.status, 400);
  });
});

describe("a method other than GET or HEAD", () => {
  for (const path of ROUTES) {
    // PROPFIND and PURGE: methods the worker has no name for are refused
    // too, not taken for GET.
    for (const method of ["POST", "PUT", "DELETE", "PROPFIND", "PURGE"]) {
      test(`on ${path} (${method}) gets 405 with Allow: GET, HEAD and a JSON body`, async () => {
        const { response, body } = await send(path, { method });
        assert.equal(response.status, 405);
        assert.equal(response.headers.get("allow"), "GET, HEAD");
        assert.equal(response.headers.get("content-type"), "application/json");
        const error = JSON.parse(body.toString());
        assert.equal(error.error, "method_not_allowed");
        assert.equal(error.method, method);
        assert.deepEqual(error.allow, ["GET", "HEAD"]);
      });
    }
  }
});

describe("Cache-Control", () => {
  test("no-store on the demo's hint and on refusals, so no cache answers in place of a run", async () => {
    const hint = await send("/api/handle-backpressure?count=1&readMs=0&produceMs=0");
    assert.equal(hint.response.headers.get("cache-control"), "no-store");
    await rust.console.summaryOf(hint.response.headers.get("x-run-id"), 10_000);
    const refused = await send("/api/stream?count=0");
    assert.equal(refused.response.status, 400);
    assert.equal(refused.response.headers.get("cache-control"), "no-store");
  });

  test("no-store, no-transform on both stream formats", async () => {
    for (const format of ["text", "ndjson"]) {
      const client = await rawGetToEnd(rust.url, `/api/stream?count=3&format=${format}`);
      assert.equal(client.headers["cache-control"], "no-store, no-transform", format);
    }
  });

  test("a few minutes' lifetime on the page, which changes only with a deploy", async () => {
    const { response } = await send("/");
    assert.equal(response.headers.get("cache-control"), "public, max-age=300");
  });
});

// Through Miniflare's entry, as under `wrangler dev`: the worker's own socket
// compresses nothing.
describe("compression", () => {
  test("a text stream is gzipped for a client that accepts gzip, and not otherwise", async () => {
    const expected = Array.from({ length: 2000 }, (_, i) => `${i + 1}\n`).join("");
    const path = "/api/stream?count=2000&batch=64";
    const gzipped = await rawGetToEnd(rust.entry, path, { "Accept-Encoding": "gzip" });
    assert.equal(gzipped.headers["content-encoding"], "gzip");
    assert.equal(gunzipSync(gzipped.bytes).toString(), expected);
    const plain = await rawGetToEnd(rust.entry, path);
    assert.equal(plain.headers["content-encoding"], undefined);
    assert.equal(plain.body, expected);
  });

  test("an NDJSON stream is never compressed, so each line reaches the client as it is made", async () => {
    const client = await rawGetToEnd(rust.entry, "/api/stream?count=200&format=ndjson&batch=8", { "Accept-Encoding": "gzip" });
    assert.equal(client.headers["content-encoding"], undefined);
    const lines = client.lines.map((line) => JSON.parse(line));
    assert.deepEqual(
      lines.slice(0, -1).map((line) => line.value),
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
  });
});

describe("a capped push stream in NDJSON", () => {
  test("is sent whole up to the cap and ends with its capped summary", async () => {
    const client = await rawGetToEnd(rust.url, "/api/stream?mode=push&format=ndjson&count=150000&batch=1024");
    const lines = client.lines.map((line) => JSON.parse(line));
    const summary = lines.at(-1);
    const values = lines.slice(0, -1).map((line) => line.value);
    assert.equal(summary.event, "summary");
    assert.equal(summary.run, client.headers["x-run-id"]);
    assert.equal(summary.outcome, "capped");
    assert.equal(summary.capped, true);
    assert.equal(summary.produced, values.length);
    assert.equal(summary.sent, values.length);
    assert.ok(values.length < 150_000, `${values.length} values: the cap stopped the producer`);
    assert.deepEqual(
      values,
      Array.from({ length: values.length }, (_, i) => i + 1),
    );
    assert.deepEqual(await rust.console.summaryOf(summary.run, 10_000), summary);
  });
});
