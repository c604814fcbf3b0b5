// The isolate-wide memory budget, end to end: many clients that open a
// stream and stop reading must not make the worker grow much more than the
// runtime itself grows for the same number of stalled responses of a JS
// worker. Resident memory of the workerd process, from /proc, as the bench
// reads it; each worker in a workerd of its own, one after the other.

import { test } from "node:test";
import assert from "node:assert/strict";
import { growthWhileStalled } from "../harness/runs.js";
import { bare, RUST_WORKER } from "../harness/workerd.js";

const JS_PULL_WORKER = { name: "js-pull-stream", modules: { "js-pull-stream.js": "bench/peers/js-pull-stream.js" } };

/** The most the Rust worker may grow beyond the JS baseline, in MB. */
const ALLOWED_EXTRA_MB = 32;

test("40 stalled push clients and 16 stalled pull clients grow workerd at most 32 MB more than a JS worker's 56", async () => {
  const count = 10_000_000;
  const js = await growthWhileStalled(
    JS_PULL_WORKER,
    Array.from({ length: 56 }, () => `/?count=${count}`),
  );
  await js.dispose();

  const rustPaths = [
    ...Array.from({ length: 40 }, () => `/api/stream?mode=push&count=${count}&format=ndjson`),
    // Pull streams as the JS worker's: one value per pull.
    ...Array.from({ length: 16 }, () => `/api/stream?count=${count}`),
  ];
  const rust = await growthWhileStalled(RUST_WORKER, rustPaths, async (worker) => {
    // The worker still answers other requests meanwhile.
    const response = await fetch(new URL("/api/stream?count=5", worker.url));
    assert.equal(await response.text(), "1\n2\n3\n4\n5\n");
  });
  try {
    console.log(
      `stalled streams: JS pull ×56 grew workerd by ${js.growthMb.toFixed(1)} MB; ` +
        `Rust push ×40 + pull ×16 by ${rust.growthMb.toFixed(1)} MB`,
    );
    // Every run ends with its summary once its client has left.
    const ids = rust.clients.map((client) => client.headers["x-run-id"]);
    const summaries = await rust.worker.console.summariesOf(ids, 20_000);
    for (const summary of summaries) {
      // A push stream the budget stopped may have ended before its client left.
      assert.ok(["cancelled", "capped"].includes(summary.outcome), JSON.stringify(summary));
    }
    const push = summaries.filter((summary) => summary.mode === "push");
    assert.ok(
      push.some((summary) => summary.budgetSpent),
      "some push stream was stopped by the isolate's budget",
    );
    // A pull stream with an empty queue may always make its next value, so
    // the budget can be passed by at most one value (32 bytes, VALUE_BYTES) per stream.
    for (const summary of summaries) {
      assert.ok(summary.budgetInUseBytes <= summary.budgetLimitBytes + 32 * ids.length, JSON.stringify(summary));
    }
    const warnings = rust.worker.console.lines.map((line) => bare(line.message));
    assert.ok(warnings.some((line) => line.includes("memory budget")), "the budget's stop is announced");
    assert.ok(
      rust.growthMb <= js.growthMb + ALLOWED_EXTRA_MB,
      `Rust grew ${rust.growthMb.toFixed(1)} MB, JS ${js.growthMb.toFixed(1)} MB: more than ${ALLOWED_EXTRA_MB} MB apart`,
    );
  } finally {
    await rust.dispose();
  }
});
