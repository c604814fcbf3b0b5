// The live page: reads /api/stream?format=ndjson at a chosen pace and draws
// what the worker produced against what the page has read.
//
// Each NDJSON line says which value it is, when the worker made it and its
// lead: how many values the worker had made beyond it when it left. So at the
// moment the page reads value N, the producer had made N + lead values. The
// chart draws both counts over the page's time; the gap between them is the
// lead, which pull mode holds to max(highWaterMark, batch) − 1.

"use strict";

// The same bounds as the route (src/stream_params.rs).
const BOUNDS = {
  highWaterMark: [0, 64],
  batch: [1, 1024],
  produceMs: [0, 10000],
  paceMs: [0, 10000],
  count: [1, 10000000],
};
const LABELS = {
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

let run = null;

function say(text, kind = "error") {
  message.textContent = text;
  message.className = kind === "info" ? "info" : "";
}

/** Reads and checks the controls; returns the settings or throws a message. */
function settings() {
  const values = { mode: $("mode").value };
  for (const [name, [min, max]] of Object.entries(BOUNDS)) {
    const text = $(name).value.trim();
    const number = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(number) || number < min || number > max) {
      $(name).setAttribute("aria-invalid", "true");
      $(name).focus();
      throw new Error(`${LABELS[name]} must be a whole number from ${min} to ${max}.`);
    }
    $(name).removeAttribute("aria-invalid");
    values[name] = number;
  }
  if (values.mode !== "pull" && values.mode !== "push") throw new Error("mode must be pull or push.");
  return values;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
  const query = new URLSearchParams({
    format: "ndjson",
    mode: chosen.mode,
    highWaterMark: chosen.highWaterMark,
    batch: chosen.batch,
    produceMs: chosen.produceMs,
    count: chosen.count,
  });
  const state = {
    settings: chosen,
    started: performance.now(),
    points: [],
    produced: 0,
    consumed: 0,
    lead: 0,
    maxLead: 0,
    end: null,
    reader: null,
    stopped: false,
  };
  run = state;
  resetCounters();
  startButton.disabled = true;
  stopButton.disabled = false;
  say("Running…", "info");
  try {
    const response = await fetch(`/api/stream?${query}`);
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.message ? `The worker refused: ${body.message}` : `The worker answered ${response.status}.`);
    }
    $("run").textContent = response.headers.get("x-run-id") ?? "–";
    state.reader = response.body.getReader();
    await readAll(state);
  } catch (error) {
    if (!state.stopped) say(error.message);
  } finally {
    finish(state);
  }
}

async function readAll(state) {
  const decoder = new TextDecoder();
  let pending = "";
  for (;;) {
    const { value, done } = await state.reader.read();
    if (done) break;
    pending += decoder.decode(value, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop();
    const now = performance.now() - state.started;
    for (const line of lines) {
      if (line) take(state, JSON.parse(line), now);
    }
    draw();
    if (state.settings.paceMs > 0) await sleep(state.settings.paceMs);
  }
}

/** Counts one NDJSON line: a value, or the summary that ends the stream. */
function take(state, line, now) {
  if (line.event === "summary") {
    state.end = line.outcome;
    return;
  }
  state.consumed = line.value;
  state.lead = line.lead;
  state.produced = Math.max(state.produced, line.value + line.lead);
  state.maxLead = Math.max(state.maxLead, line.lead);
  state.points.push([now, line.value, line.value + line.lead]);
  showCounters(state);
}

async function stop() {
  const state = run;
  if (!state || !state.reader) return;
  state.stopped = true;
  stopButton.disabled = true;
  // Cancelling the body is how the worker learns that nobody reads any more:
  // it aborts its producer at once.
  await state.reader.cancel("stopped by the user");
}

function finish(state) {
  if (state.stopped) {
    state.end = "cancelled";
    say(
      `Stopped. The page cancelled the stream, and the worker stopped producing: it had made ${state.produced} values, and makes no more.`,
      "info",
    );
  } else if (state.end === "complete") {
    say(`Complete: all ${state.consumed} values read.`, "info");
  } else if (state.end === "capped") {
    say(
      `Capped: the push queue hit its limit, so the worker stopped producing after ${state.produced} values.`,
      "info",
    );
  }
  $("end").textContent = state.end ?? "–";
  showCounters(state);
  draw();
  startButton.disabled = false;
  stopButton.disabled = true;
  run = null;
  last = state;
}

let last = null;

function resetCounters() {
  for (const id of ["produced", "consumed", "lead", "maxLead"]) $(id).textContent = "0";
  $("end").textContent = "–";
  $("run").textContent = "–";
}

function showCounters(state) {
  $("produced").textContent = state.produced;
  $("consumed").textContent = state.consumed;
  $("lead").textContent = state.lead;
  $("maxLead").textContent = state.maxLead;
}

function draw() {
  const state = run ?? last;
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const g = canvas.getContext("2d");
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const style = getComputedStyle(document.documentElement);
  const pad = { left: 56, right: 12, top: 12, bottom: 28 };
  const points = state?.points ?? [];
  const maxT = Math.max(1000, ...points.map((p) => p[0]));
  const maxY = Math.max(10, ...points.map((p) => p[2]));
  const x = (t) => pad.left + (t / maxT) * (width - pad.left - pad.right);
  const y = (v) => height - pad.bottom - (v / maxY) * (height - pad.top - pad.bottom);

  g.strokeStyle = style.getPropertyValue("--line");
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
window.addEventListener("resize", draw);
draw();

// For tests and the curious: the current (or last) run's numbers.
window.backpressure = {
  state: () => {
    const state = run ?? last;
    return state && {
      running: run !== null,
      produced: state.produced,
      consumed: state.consumed,
      maxLead: state.maxLead,
      end: state.end,
      maxGap: Math.max(0, ...state.points.map(([, read, produced]) => produced - read)),
    };
  },
};
