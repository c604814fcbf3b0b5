// `make profile`: where the worker's CPU time goes. Runs a build that keeps
// function names (target/profile-build) in workerd with its inspector on,
// samples V8's CPU profiler while a load runs, and prints the functions with
// the most self time, wasm and JS alike.
//
//   make profile                       # the demo route, 20 values per run
//   make profile PROFILE_PATH='/api/stream?count=50000'
//   PROFILE_BUILD=target/plain-profile node bench/profile.js   # another build
//
// The inspector makes console.log dearer than it is without it, so compare
// shares between runs of this script, not with `make bench`.

import { sleep } from "../tests/harness/wait.js";
import { builtWorker, startWorkers } from "../tests/harness/workerd.js";
import { load } from "./load.js";

const TARGET = process.argv[2] ?? "/api/handle-backpressure?count=20&readMs=1&produceMs=1";
const BUILD = process.env.PROFILE_BUILD ?? "target/profile-build";
const INSPECTOR_PORT = 9339;

const workerd = await startWorkers(
  [builtWorker("profiled", BUILD)],
  { inspectorPort: INSPECTOR_PORT },
);
const url = new URL(TARGET, workerd.urls.profiled).href;

// The first target is the user worker; speak the DevTools protocol to it.
const [target] = await (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json`)).json();
const socket = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((resolve) => (socket.onopen = resolve));
let nextId = 0;
const replies = new Map();
socket.onmessage = (message) => {
  const reply = JSON.parse(message.data);
  replies.get(reply.id)?.(reply);
};
const send = (method, params = {}) =>
  new Promise((resolve) => {
    const id = ++nextId;
    replies.set(id, resolve);
    socket.send(JSON.stringify({ id, method, params }));
  });

try {
  await load(url, { connections: 10, amount: 100 }); // warm up: compile, tier up
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 50 });
  await send("Profiler.start");
  await load(url, { connections: 10, amount: 400 });
  await sleep(2000); // background work ends
  const { result } = await send("Profiler.stop");
  const selfTime = new Map();
  let samples = 0;
  for (const node of result.profile.nodes) {
    const name = `${node.callFrame.functionName || "(anonymous)"}  ${node.callFrame.url.split("/").pop()}`;
    selfTime.set(name, (selfTime.get(name) ?? 0) + (node.hitCount ?? 0));
    samples += node.hitCount ?? 0;
  }
  console.log(`${TARGET}: ${samples} samples; share of self time`);
  for (const [name, hits] of [...selfTime].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`${((100 * hits) / samples).toFixed(1).padStart(5)} %  ${name.slice(0, 150)}`);
  }
} finally {
  socket.close();
  await workerd.dispose();
}
