// `node bench/stalled.js [rounds]`: what stalled clients cost the process, by
// the size of the chunks they were sent. For each setting, 16 clients open a
// 10,000,000-value stream, read its first bytes and stop reading; workerd's
// resident memory is read from /proc before and 3 s after. Each setting runs
// in a workerd of its own (a process's memory does not come back down once a
// case has grown it), the Rust worker and the JS pull stream alike, and the
// settings take turns, `rounds` times (default 2). Needs `make build`.

import { growthWhileStalled } from "../tests/harness/runs.js";
import { builtWorker } from "../tests/harness/workerd.js";

const CLIENTS = 16;
const COUNT = 10_000_000;
const RUST = builtWorker("rust", "build");
const JS = { name: "js-pull-stream", modules: { "js-pull-stream.js": "bench/peers/js-pull-stream.js" } };

const SETTINGS = [
  [RUST, `/api/stream?count=${COUNT}`],
  [RUST, `/api/stream?count=${COUNT}&batch=1024&highWaterMark=64`],
  [RUST, `/api/stream?count=${COUNT}&batch=8192&highWaterMark=64`],
  [RUST, `/api/stream?count=${COUNT}&batch=1024&highWaterMark=64&format=ndjson`],
  [RUST, `/api/stream?count=${COUNT}&batch=8192&highWaterMark=64&format=ndjson`],
  [JS, `/?count=${COUNT}`],
  [JS, `/?count=${COUNT}&batch=8192`],
];

/** workerd's growth, in MB, while CLIENTS clients of `path` stall. */
async function growth(worker, path) {
  const stalled = await growthWhileStalled(worker, Array.from({ length: CLIENTS }, () => path));
  await stalled.dispose();
  return stalled.growthMb;
}

const rounds = Number(process.argv[2] ?? 2);
const growths = SETTINGS.map(() => []);
for (let round = 0; round < rounds; round++) {
  for (const [index, [worker, path]] of SETTINGS.entries()) {
    growths[index].push(await growth(worker, path));
  }
}
console.log(`${CLIENTS} stalled clients, workerd's RSS growth in MB, ${rounds} rounds:`);
for (const [index, [worker, path]] of SETTINGS.entries()) {
  console.log(`${worker.name.padEnd(15)} ${path.padEnd(72)} ${growths[index].map((mb) => mb.toFixed(1)).join(", ")}`);
}
