// The recipe's route alone (`make build-recipe`: `--no-default-features`), in
// workerd: a team that ports only the recipe builds this. The demo answers and
// logs the recipe's sequence as the full build does; every other route is not
// in the build and answers 404, whatever the method, and starts nothing.

import { test } from "node:test";
import assert from "node:assert/strict";
import { sleep } from "../harness/wait.js";
import { builtWorker, startWorker } from "../harness/workerd.js";

const RECIPE_BUILD = builtWorker("handling-backpressure-recipe", "target/recipe-build");

test("the recipe's build runs the demo and has no other route", async () => {
  const worker = await startWorker(RECIPE_BUILD);
  try {
    const response = await fetch(new URL("/api/handle-backpressure?count=3&readMs=10&produceMs=0", worker.url));
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "Check your console to see the result!");
    const id = response.headers.get("x-run-id");
    const summary = await worker.console.summaryOf(id, 10_000);
    assert.equal(summary.outcome, "complete");
    assert.deepEqual(worker.console.texts(id).slice(0, -1), [
      "yielding 1",
      "Stream value: 1",
      "yielding 2",
      "Stream value: 2",
      "yielding 3",
      "Stream value: 3",
      "yielding 4",
    ]);

    const linesBefore = worker.console.lines.length;
    for (const [method, path] of [
      ["GET", "/api/stream?count=3"],
      ["HEAD", "/api/stream"],
      ["POST", "/api/stream"],
      ["GET", "/"],
      ["POST", "/api/ingest"],
      ["GET", "/api/proxy"],
    ]) {
      const refused = await fetch(new URL(path, worker.url), { method });
      assert.equal(refused.status, 404, `${method} ${path}`);
      assert.equal(refused.headers.get("x-run-id"), null, `${method} ${path}`);
      if (method !== "HEAD") {
        const body = await refused.json();
        assert.equal(body.error, "not_found", `${method} ${path}`);
        assert.equal(body.path, path.split("?")[0], `${method} ${path}`);
      }
    }
    await sleep(200);
    assert.deepEqual(worker.console.lines.slice(linesBefore), [], "nothing was logged: nothing started");
  } finally {
    await worker.dispose();
  }
});
