// What a panic does to the worker, in workerd: a build with a route that
// panics on purpose (`make build-panic`, the panic-route feature; never
// deployed) logs the panic's message and where it happened, the request gets
// a 500, and the next request is answered by a fresh instance: a demo run
// completes and logs its summary. The deployed build has no such route.

import { test } from "node:test";
import assert from "node:assert/strict";
import { RUST_WORKER, bare, builtWorker, startWorker } from "../harness/workerd.js";

const PANIC_WORKER = builtWorker("handling-backpressure-panic", "target/panic-build");

test("a panic is logged with its message and place, and the next request is answered", async () => {
  const worker = await startWorker(PANIC_WORKER);
  try {
    const panicked = await fetch(new URL("/test/panic", worker.url));
    await panicked.text();
    assert.equal(panicked.status, 500);
    await worker.console.until(
      (lines) => lines.some((line) => line.message.includes("a panic on purpose, to test what follows one")),
      5_000,
      "the panic's message",
    );
    const panicLine = worker.console.lines.find((line) => line.message.includes("a panic on purpose")).message;
    assert.match(panicLine, /src\/glue\/entry\.rs:\d+:\d+/, "the panic says where it happened");

    const response = await fetch(new URL("/api/handle-backpressure?count=2&readMs=10&produceMs=0", worker.url));
    assert.equal(response.status, 200);
    await response.text();
    const summary = await worker.console.summaryOf(response.headers.get("x-run-id"), 10_000);
    assert.equal(summary.outcome, "complete");
    assert.ok(
      worker.console.lines.some((line) => line.message.includes("Reinitializing Wasm application")),
      worker.console.lines.map((line) => `${line.level} ${bare(line.message)}`).join("\n"),
    );
  } finally {
    await worker.dispose();
  }
});

test("the deployed build has no panic route", async () => {
  const worker = await startWorker(RUST_WORKER);
  try {
    const response = await fetch(new URL("/test/panic", worker.url));
    assert.equal(response.status, 404);
    assert.equal((await response.json()).error, "not_found");
  } finally {
    await worker.dispose();
  }
});
