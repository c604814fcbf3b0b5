// The worker through wrangler itself: `make dev`, the README's command, serves
// it, its page and the page's static files, and its proxy through the
// service binding to itself, and shows the demo's console;
// `wrangler deploy --dry-run` accepts the bundle and the assets.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { ROOT } from "../harness/project.js";
import { OFFLINE, wranglerDryRun } from "../harness/tools.js";
import { sleep, waitUntil } from "../harness/wait.js";

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test("make dev serves the worker and its console shows the demo", { timeout: 180_000 }, async () => {
  const port = await freePort();
  // A process group of its own, so that make, wrangler and workerd stop together.
  const dev = spawn("make", ["--no-print-directory", "dev", `PORT=${port}`], {
    cwd: ROOT,
    env: OFFLINE,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  dev.stdout.on("data", (chunk) => (output += chunk));
  dev.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise((resolve) => dev.on("exit", resolve));
  /** Waits until `test()` gives something, or fails with wrangler's output. */
  const untilDev = (test, timeoutMs, what, pollMs) =>
    waitUntil(test, { timeoutMs, what, seen: () => `output was:\n${output}`, pollMs });
  try {
    const ready = new RegExp(`Ready on http://127\\.0\\.0\\.1:${port}`);
    await untilDev(() => output.match(ready), 150_000, "wrangler dev to be ready");
    // wrangler may rebuild once right after start; retry until it answers.
    const response = await untilDev(
      () => fetch(`http://127.0.0.1:${port}/api/handle-backpressure?count=2&readMs=100&produceMs=10`).catch(() => undefined),
      10_000,
      "an answer from wrangler dev",
      200,
    );
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "Check your console to see the result!");
    const id = response.headers.get("x-run-id");
    assert.match(id, /^[0-9a-f]{8}$/);

    const summary = new RegExp(`\\{"run":"${id}","event":"summary"[^\\n]*\\}`);
    await untilDev(() => output.match(summary), 30_000, "the run's summary");
    const tag = `[run ${id}] `;
    const lines = output
      .split("\n")
      .filter((line) => line.includes(tag))
      .map((line) => line.slice(line.indexOf(tag) + tag.length).trim());
    const recipe = lines.filter((line) => /^(yielding|Stream value:) \d+$/.test(line));
    assert.deepEqual(recipe.slice(0, 4), ["yielding 1", "Stream value: 1", "yielding 2", "Stream value: 2"]);
    // With highWaterMark 1 the stream may have made one value more than it read.
    const last = JSON.parse(output.match(summary)[0]);
    assert.ok([2, 3].includes(last.produced), JSON.stringify(last));
    assert.equal(last.released, true);
    assert.equal(last.outcome, "complete");

    // The page: its HTML through the worker, its script and styles straight
    // from the static assets, as wrangler.toml's [assets] table says.
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-security-policy"), /script-src 'self'/);
    assert.match(await page.text(), /<script src="\/page\.js"><\/script>/);
    for (const [file, type] of [["page.js", "text/javascript"], ["page.css", "text/css"]]) {
      const asset = await fetch(`http://127.0.0.1:${port}/${file}`);
      assert.equal(asset.status, 200, file);
      assert.match(asset.headers.get("content-type"), new RegExp(`^${type}`), file);
      assert.equal(asset.headers.get("x-content-type-options"), "nosniff", file);
      await asset.arrayBuffer();
    }

    // The proxy reaches its origin, the worker itself, through the ORIGIN
    // service binding as wrangler.toml declares it.
    const proxied = await fetch(`http://127.0.0.1:${port}/api/proxy?count=3`);
    assert.equal(proxied.status, 200);
    assert.equal(await proxied.text(), "1 1 1\n2 4 3\n3 9 6\n");
    assert.match(proxied.headers.get("x-origin-run-id"), /^[0-9a-f]{8}$/);
  } finally {
    process.kill(-dev.pid, "SIGTERM");
    await Promise.race([exited, sleep(10_000)]);
    try {
      process.kill(-dev.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
});

test("wrangler deploy --dry-run accepts the bundle", { timeout: 180_000 }, async () => {
  const { stdout, uploadKiB, gzipKiB } = await wranglerDryRun(ROOT);
  assert.ok(gzipKiB !== null, stdout);
  assert.match(stdout, /--dry-run: exiting now/);
  assert.match(stdout, /ASSETS/, "the assets binding is in the upload");
  assert.match(stdout, /ORIGIN/, "the proxy's service binding is in the upload");
  console.log(`upload ${uploadKiB} KiB, gzip ${gzipKiB} KiB`);
});
