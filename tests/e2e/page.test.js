// The live page in a real headless Chromium (Debian's, driven by
// playwright-core; no browser download). Without Chromium it is skipped, and
// says so, on a developer's machine, and fails under CI.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { PUSH_CAP_VALUES, ROOT } from "../harness/project.js";
import { assertNothingMadeAfterCancel } from "../harness/runs.js";
import { skipUnless } from "../harness/tools.js";
import { sleep } from "../harness/wait.js";
import { useWorker } from "../harness/workerd.js";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const OUTPUT = path.join(ROOT, "tests/e2e/output");

const skip = skipUnless(existsSync(CHROMIUM), `the page test needs Chromium at ${CHROMIUM} (apt-get install chromium)`);

describe("the live page", { skip }, () => {
  const rust = useWorker();
  let browser;
  before(async () => {
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Without these Chromium reaches out to Google's services at start.
      // (Playwright gives it a new, empty profile of its own.)
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    await mkdir(OUTPUT, { recursive: true });
  });
  after(async () => {
    await browser?.close();
  });

  /** Opens the page; records console errors and every request it makes. */
  async function open(viewport = { width: 1100, height: 900 }) {
    const page = await browser.newPage({ viewport });
    const problems = [];
    const requests = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("request", (request) => requests.push(request.url()));
    await page.goto(new URL("/", rust.url).href);
    return { page, problems, requests };
  }

  async function configure(page, values) {
    for (const [name, value] of Object.entries(values)) {
      if (name === "mode") await page.selectOption("#mode", value);
      else await page.fill(`#${name}`, String(value));
    }
  }

  const state = (page) => page.evaluate(() => window.backpressure.state());

  /** Waits until the page's run has ended. */
  const runEnded = (page, timeout) =>
    page.waitForFunction(() => window.backpressure.state()?.running === false, null, { timeout });

  test("loads with no console error and no request outside the worker, even at a phone's width", async () => {
    const { page, problems, requests } = await open({ width: 390, height: 844 });
    assert.equal(await page.title(), "Backpressure, live");
    // Every control has a label a screen reader can announce.
    for (const id of ["mode", "transformHighWaterMark", "highWaterMark", "batch", "produceMs", "paceMs", "count"]) {
      const label = await page.evaluate((id) => document.getElementById(id).labels[0]?.textContent.trim(), id);
      assert.ok(label, `#${id} has a label`);
    }
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than a phone`);
    // Tab goes from the last field to Start.
    await page.focus("#count");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.id), "start");
    await page.screenshot({ path: path.join(OUTPUT, "page-phone.png"), fullPage: true });
    const origin = new URL(rust.url).origin;
    assert.deepEqual(requests.filter((url) => new URL(url).origin !== origin), []);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("a pull run at a slow pace keeps the drawn gap within the bound", async () => {
    const { page, problems } = await open();
    await configure(page, { mode: "pull", highWaterMark: 3, batch: 1, produceMs: 2, paceMs: 40, count: 300 });
    await page.click("#start");
    await runEnded(page, 60_000);
    assert.equal((await state(page)).end, "complete");
    const { consumed, maxGap, maxLead } = await state(page);
    assert.equal(consumed, 300);
    // Pull holds the lead to max(highWaterMark, batch) − 1 = 2.
    assert.ok(maxGap <= 2 && maxLead <= 2, `gap ${maxGap}, lead ${maxLead}`);
    assert.match(await page.textContent("#message"), /Complete: all 300 values read/);
    await page.screenshot({ path: path.join(OUTPUT, "pull.png") });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("a push run shows the producer running away from the reader", async () => {
    const { page, problems } = await open();
    await configure(page, { mode: "push", highWaterMark: 1, batch: 1, produceMs: 0, paceMs: 150, count: 1000000 });
    await page.click("#start");
    await page.waitForFunction(() => (window.backpressure.state()?.consumed ?? 0) > 2000, null, { timeout: 60_000 });
    const { maxGap } = await state(page);
    // Push made values far ahead of the reader: the queue filled to its cap.
    assert.ok(maxGap > 1000, `gap ${maxGap}`);
    await page.screenshot({ path: path.join(OUTPUT, "push.png") });
    const id = await page.textContent("#run");
    await page.click("#stop");
    await runEnded(page, 10_000);
    // The worker's own account: its queue hit the cap, then the page left.
    const summary = await rust.console.summaryOf(id, 10_000);
    assert.equal(summary.capped, true);
    assert.equal(summary.maxQueue, PUSH_CAP_VALUES);
    assert.equal(summary.outcome, "cancelled");
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("Start and Stop work from the keyboard, and Stop makes the worker stop producing", async () => {
    const { page, problems } = await open();
    await configure(page, { mode: "pull", highWaterMark: 1, batch: 1, produceMs: 10, paceMs: 20, count: 100000 });
    const response = page.waitForResponse((r) => r.url().includes("/api/stream"));
    await page.focus("#start");
    await page.keyboard.press("Enter");
    const id = (await response).headers()["x-run-id"];
    await page.waitForFunction(() => (window.backpressure.state()?.consumed ?? 0) >= 20, null, { timeout: 30_000 });
    // Starting moved the focus to Stop, so Enter again stops the run.
    assert.equal(await page.evaluate(() => document.activeElement.id), "stop");
    await page.keyboard.press("Enter");
    await runEnded(page, 10_000);
    assert.equal((await state(page)).end, "cancelled");
    assert.match(await page.textContent("#message"), /^Stopped\. /);
    assert.equal(await page.evaluate(() => document.activeElement.id), "start");
    // What the worker did: it logged the cancel, and made nothing after it,
    // however long we wait.
    const summary = await rust.console.summaryOf(id, 10_000);
    assert.equal(summary.outcome, "cancelled");
    await sleep(500);
    assertNothingMadeAfterCancel(rust.console.texts(id), summary);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("a proxy run reads the stream through the transform, and Stop reaches the origin", async () => {
    const { page, problems } = await open();
    await configure(page, { mode: "proxy", transformHighWaterMark: 2, highWaterMark: 1, batch: 1, produceMs: 2, paceMs: 30, count: 200 });
    const response = page.waitForResponse((r) => r.url().includes("/api/proxy"));
    await page.click("#start");
    const headers = (await response).headers();
    await runEnded(page, 60_000);
    const { end, consumed, summary } = await state(page);
    assert.equal(end, "complete");
    assert.equal(consumed, 200);
    // The page read the proxy's own summary, after its origin's.
    assert.deepEqual([summary.route, summary.originRun, summary.transformHighWaterMark], ["proxy", headers["x-origin-run-id"], 2]);
    assert.ok(summary.maxQueue <= 2, `maxQueue ${summary.maxQueue}`);
    assert.match(await page.textContent("#message"), /^Complete: all 200 values read through the proxy, whose queue held at most [012] of 2 chunks\.$/);
    assert.equal(await page.textContent("#originRun"), headers["x-origin-run-id"]);
    await page.screenshot({ path: path.join(OUTPUT, "proxy.png") });

    // A long run, stopped: the proxy's run and its origin's both end cancelled.
    await configure(page, { count: 100000, produceMs: 5, paceMs: 20 });
    const long = page.waitForResponse((r) => r.url().includes("/api/proxy"));
    await page.click("#start");
    const longHeaders = (await long).headers();
    await page.waitForFunction(() => (window.backpressure.state()?.consumed ?? 0) >= 20, null, { timeout: 30_000 });
    await page.click("#stop");
    await runEnded(page, 10_000);
    assert.match(await page.textContent("#message"), /^Stopped\. The page cancelled the stream; the proxy cancelled its origin's/);
    const [proxy, origin] = await rust.console.summariesOf([longHeaders["x-run-id"], longHeaders["x-origin-run-id"]], 10_000);
    assert.deepEqual([proxy.outcome, origin.outcome], ["cancelled", "cancelled"]);
    assert.ok(origin.produced < 1000, `the origin stopped early: ${origin.produced}`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("bad values in the controls show a message and start nothing", async () => {
    const { page, problems, requests } = await open();
    for (const [name, value, expected] of [
      ["batch", "0", "batch must be a whole number from 1 to 8192."],
      ["highWaterMark", "65", "highWaterMark must be a whole number from 0 to 64."],
      ["count", "1.5", "values must be a whole number from 1 to 10000000."],
      ["paceMs", "-1", "reader pace must be a whole number from 0 to 10000."],
      ["produceMs", "1e3", "producer interval must be a whole number from 0 to 10000."],
      ["count", "", "values must be a whole number from 1 to 10000000."],
      ["transformHighWaterMark", "17", "transform queue must be a whole number from 0 to 16."],
    ]) {
      await page.reload();
      // The transform's queue is asked for in proxy mode only.
      if (name === "transformHighWaterMark") await page.selectOption("#mode", "proxy");
      await page.fill(`#${name}`, value);
      await page.click("#start");
      assert.equal(await page.textContent("#message"), expected);
      assert.equal(await page.getAttribute(`#${name}`, "aria-invalid"), "true");
    }
    assert.deepEqual(requests.filter((url) => url.includes("/api/")), []);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
