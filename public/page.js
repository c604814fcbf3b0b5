// The live page: reads /api/stream?format=ndjson (or, in proxy mode,
// /api/proxy, the same stream through a transform with a queue of its own) at
// a chosen pace and draws what the worker produced against what the page has
// read.
//
// Each NDJSON line says which value it is, when the worker made it and its
// lead: how many values the worker had made beyond it when it left. So at the
// moment the page reads value N, the producer had made N + lead values. The
// chart draws both counts over the page's time, one point per read; the gap
// between them is the lead, which pull mode holds to max(highWaterMark,
// batch) − 1. Through the proxy, the lead is the origin's, and the proxy's
// own queue (at most transformHighWaterMark chunks) shows in its summary.

"use strict";

// The numeric controls. Each input's min and max in index.html are the
// bounds, read from there; for the route's parameters they are the route's
// own (a test in src/page/mod.rs holds them to its spec).
const NUMBERS = ["transformHighWaterMark", "highWaterMark", "batch", "produceMs", "paceMs", "count"];
const LABELS = {
  transformHighWaterMark: "transform queue",
  highWaterMark: "highWaterMark",
  batch: "batch",
  produceMs: "producer interval",
  paceMs: "reader pace",
  count: "values",
};

const $ = (id) => document.getElementById(id);
const form = $("controls");
const startButton = $("start");
const stopButton = $("stop");
const message = $("message");
const canvas = $("chart");

// The chart keeps one point per read, and halves its points when they pass
// this many, so that a run of millions of values draws as fast as a short one.
const MAX_POINTS = 2000;

// The run in progress, and the last one (kept on screen after it ends).
let run = null;
let last = null;

function say(text, kind = "error") {
  // Cleared first, so that the same message said twice is announced twice.
  message.textContent = "";
  message.className = kind === "info" ? "info" : "";
  message.textContent = text;
}

/** Reads and checks the controls; returns the settings or throws a message. */
function settings() {
  const values = { mode: $("mode").value };
  for (const name of NUMBERS) {
    const input = $(name);
    if (input.disabled) continue;
    const [min, max] = [Number(input.min), Number(input.max)];
    const text = input.value.trim();
    const number = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(number) || number < min || number > max) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
      throw new Error(`${LABELS[name]} must be a whole number from ${min} to ${max}.`);
    }
    input.removeAttribute("aria-invalid");
    values[name] = number;
  }
  if (!["pull", "push", "proxy"].includes(values.mode)) throw new Error("mode must be pull, push or proxy.");
  return values;
}

/** Waits `ms`, or less if the run is stopped meanwhile. */
function pause(state, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    state.wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}

async function start(event) {
  event.preventDefault();
  if (run) return;
  let chosen;
  try {
    chosen = settings();
  } catch (error) {
    say(error.message);
    return;
  }
  const proxied = chosen.mode === "proxy";
  const query = new URLSearchParams({
    format: "ndjson",
    // The proxy's origin always pulls; its own look-ahead is in chunks.
    ...(proxied ? { transformHighWaterMark: chosen.transformHighWaterMark } : { mode: chosen.mode }),
    highWaterMark: chosen.highWaterMark,
    batch: chosen.batch,
    produceMs: chosen.produceMs,
    count: chosen.count,
  });
  const route = proxied ? "/api/proxy" : "/api/stream";
  const state = {
    settings: chosen,
    started: performance.now(),
    aborter: new AbortController(),
    points: [],
    produced: 0,
    consumed: 0,
    lead: 0,
    maxLead: 0,
    maxGap: 0,
    end: null,
    // The summary that ends the body: the proxy's own (after its origin's,
    // which passes through) or the stream's.
    lastRoute: proxied ? "proxy" : "stream",
    summary: null,
    reader: null,
    stopped: false,
    wake: () => {},
  };
  run = state;
  resetCounters();
  startButton.disabled = true;
  stopButton.disabled = false;
  stopButton.focus();
  say("Running…", "info");
  try {
    const response = await fetch(`${route}?${query}`, { signal: state.aborter.signal });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      if (body.parameter && $(body.parameter)) $(body.parameter).setAttribute("aria-invalid", "true");
      throw new Error(body.message ? `The worker refused: ${body.message}` : `The worker answered ${response.status}.`);
    }
    $("run").textContent = response.headers.get("x-run-id") ?? "–";
    $("originRun").textContent = response.headers.get("x-origin-run-id") ?? "–";
    state.reader = response.body.getReader();
    await readAll(state);
  } catch (error) {
    if (!state.stopped) say(error.message);
  } finally {
    // However the run ended, the worker must not go on producing for nobody.
    if (state.end === null) {
      state.aborter.abort();
      state.reader?.cancel().catch(() => {});
    }
    finish(state);
  }
}

async function readAll(state) {
  const decoder = new TextDecoder();
  let pending = "";
  while (!state.stopped && state.end === null) {
    const { value, done } = await state.reader.read();
    if (done) {
      if (decoder.decode() + pending !== "") throw new Error("The stream ended in the middle of a line.");
      if (state.end === null && !state.stopped) throw new Error("The stream ended without its summary.");
      return;
    }
    pending += decoder.decode(value, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop();
    for (const line of lines) {
      if (line) take(state, JSON.parse(line));
    }
    addPoint(state, performance.now() - state.started);
    if (state.settings.paceMs > 0 && state.end === null) await pause(state, state.settings.paceMs);
  }
}

/** Counts one NDJSON line: a value, or a summary (the last one ends the stream). */
function take(state, line) {
  if (line.event === "summary") {
    if (line.route === state.lastRoute) {
      state.end = line.outcome;
      state.summary = line;
    }
    return;
  }
  state.consumed = line.value;
  state.lead = line.lead;
  state.produced = Math.max(state.produced, line.value + line.lead);
  state.maxLead = Math.max(state.maxLead, line.lead);
  state.maxGap = Math.max(state.maxGap, line.lead);
}

/** One chart point per read: what had been read and produced by then. */
function addPoint(state, now) {
  state.points.push([now, state.consumed, state.produced]);
  if (state.points.length > MAX_POINTS) state.points = state.points.filter((_, i) => i % 2 === 0);
  showCounters(state);
  requestDraw();
}

function stop() {
  const state = run;
  if (!state || state.end !== null) return;
  state.stopped = true;
  stopButton.disabled = true;
  // Cancelling the body is how the worker learns that nobody reads any more:
  // it aborts its producer at once.
  state.aborter.abort();
  state.reader?.cancel("stopped by the user").catch(() => {});
  state.wake();
}

function finish(state) {
  if (state.stopped) {
    state.end = "cancelled";
    say(
      state.lastRoute === "proxy"
        ? `Stopped. The page cancelled the stream; the proxy cancelled its origin's, which stops the producer: it had made at least ${state.produced} values.`
        : `Stopped. The page cancelled the stream, which stops the worker's producer: it had made at least ${state.produced} values.`,
      "info",
    );
  } else if (state.end === "complete" && state.lastRoute === "proxy") {
    say(
      `Complete: all ${state.consumed} values read through the proxy, whose queue held at most ${state.summary.maxQueue} of ${state.summary.transformHighWaterMark} chunks.`,
      "info",
    );
  } else if (state.end === "complete") {
    say(`Complete: all ${state.consumed} values read.`, "info");
  } else if (state.end === "capped") {
    say(
      `Capped: the push queue hit its limit, so the worker stopped producing after ${state.produced} values; all of them were read.`,
      "info",
    );
  }
  $("end").textContent = state.end ?? "–";
  $("maxQueue").textContent = state.summary?.route === "proxy" ? state.summary.maxQueue : "–";
  showCounters(state);
  requestDraw();
  run = null;
  last = state;
  startButton.disabled = false;
  stopButton.disabled = true;
  startButton.focus();
}

function resetCounters() {
  for (const id of ["produced", "consumed", "lead", "maxLead"]) $(id).textContent = "0";
  for (const id of ["end", "run", "originRun", "maxQueue"]) $(id).textContent = "–";
}

function showCounters(state) {
  $("produced").textContent = state.produced;
  $("consumed").textContent = state.consumed;
  $("lead").textContent = state.lead;
  $("maxLead").textContent = state.maxLead;
}

let drawPending = false;

/** Draws at most once per frame, however often reads come in. */
function requestDraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    draw();
  });
}

function draw() {
  const state = run ?? last;
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const g = canvas.getContext("2d");
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const style = getComputedStyle(document.documentElement);
  const pad = { left: 60, right: 12, top: 12, bottom: 28 };
  const points = state?.points ?? [];
  const lastPoint = points[points.length - 1];
  const maxT = Math.max(1000, lastPoint?.[0] ?? 0);
  const maxY = Math.max(10, state?.produced ?? 0);
  const x = (t) => pad.left + (t / maxT) * (width - pad.left - pad.right);
  const y = (v) => height - pad.bottom - (v / maxY) * (height - pad.top - pad.bottom);

  g.strokeStyle = style.getPropertyValue("--axis");
  g.fillStyle = style.getPropertyValue("--muted");
  g.lineWidth = 1;
  g.font = "12px system-ui, sans-serif";
  g.beginPath();
  g.moveTo(pad.left, pad.top);
  g.lineTo(pad.left, height - pad.bottom);
  g.lineTo(width - pad.right, height - pad.bottom);
  g.stroke();
  g.textAlign = "right";
  g.fillText(String(maxY), pad.left - 6, pad.top + 10);
  g.fillText("0", pad.left - 6, height - pad.bottom);
  g.textAlign = "center";
  g.fillText(`${(maxT / 1000).toFixed(1)} s`, width - pad.right - 16, height - 8);
  if (points.length === 0) return;

  // The gap between the two lines is the producer's lead.
  g.fillStyle = style.getPropertyValue("--gap");
  g.beginPath();
  points.forEach(([t, , produced], i) => (i ? g.lineTo(x(t), y(produced)) : g.moveTo(x(t), y(produced))));
  for (let i = points.length - 1; i >= 0; i--) g.lineTo(x(points[i][0]), y(points[i][1]));
  g.closePath();
  g.fill();

  const line = (index, colour, dash) => {
    g.strokeStyle = colour;
    g.lineWidth = 2.5;
    g.setLineDash(dash);
    g.beginPath();
    points.forEach((p, i) => (i ? g.lineTo(x(p[0]), y(p[index])) : g.moveTo(x(p[0]), y(p[index]))));
    g.stroke();
    g.setLineDash([]);
  };
  line(2, style.getPropertyValue("--produced"), []);
  line(1, style.getPropertyValue("--consumed"), [7, 5]);
}

form.addEventListener("submit", start);
stopButton.addEventListener("click", stop);
for (const name of NUMBERS) $(name).addEventListener("input", () => $(name).removeAttribute("aria-invalid"));
// The transform's queue is the proxy's alone.
const modeChanged = () => {
  $("transformHighWaterMark").disabled = $("mode").value !== "proxy";
};
$("mode").addEventListener("change", modeChanged);
modeChanged();
window.addEventListener("resize", requestDraw);
draw();

// For tests and the curious: the current (or last) run's numbers.
window.backpressure = {
  state: () => {
    const state = run ?? last;
    return (
      state && {
        running: run !== null,
        produced: state.produced,
        consumed: state.consumed,
        maxLead: state.maxLead,
        maxGap: state.maxGap,
        end: state.end,
        summary: state.summary,
        points: state.points.length,
      }
    );
  },
};
