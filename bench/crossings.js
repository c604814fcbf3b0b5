// `node bench/crossings.js [build dir] [path] [last line]`: how many times a
// request crosses between the worker's wasm and JS, call by call. Copies a
// worker-build output (build/ unless told), wraps every function the wasm
// imports (a call out of wasm) and every one it exports (a call into wasm) in
// a counter, serves the counts at /__counts, runs 20 requests of `path` to
// their last console line and prints the calls per request.
//
//   node bench/crossings.js                                  # the demo
//   node bench/crossings.js bench/plain-port/build /api/handle-backpressure?count=2 "Stream value: 2"
//
// Counts are exact, so they compare two builds without the noise of timing.
// The wrapping relies on the shape of worker-build's index.js and says so
// when that shape has changed.

import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT } from "../tests/harness/project.js";
import { sleep } from "../tests/harness/wait.js";
import { builtWorker, startWorkers } from "../tests/harness/workerd.js";

const [build = "build", target = "/api/handle-backpressure?count=2&produceMs=1&readMs=1", lastLine = '"outcome":"complete"'] =
  process.argv.slice(2);
const REQUESTS = 20;

const COUNTER = `globalThis.__crossings = {};
function __counted(name, f) {
  return function (...args) { __crossings[name] = (__crossings[name] ?? 0) + 1; return f.apply(this, args); };
}
function __countImports(imports) {
  for (const [module, table] of Object.entries(imports)) {
    if (table === null || typeof table !== "object") continue;
    imports[module] = Object.fromEntries(Object.entries(table).map(([name, f]) => [name, typeof f === "function" ? __counted("out of wasm: " + name, f) : f]));
  }
  return imports;
}
function __countExports(instance) {
  return { exports: Object.fromEntries(Object.entries(instance.exports).map(([name, f]) => [name, typeof f === "function" ? __counted("into wasm: " + name, f) : f])) };
}
`;

const instantiate = /new WebAssembly\.Instance\((\w+),(\w+)\(\)\)/g;
const fetchMethod = /fetch=function\((\w+)\)\{/;
let js = await readFile(path.resolve(ROOT, build, "index.js"), "utf8");
if (!instantiate.test(js) || !fetchMethod.test(js)) throw new Error(`${build}/index.js is not shaped as this script expects`);
js =
  COUNTER +
  js
    .replace(instantiate, "__countExports(new WebAssembly.Instance($1,__countImports($2())))")
    .replace(fetchMethod, (_, request) => `fetch=function(${request}){if(new URL(${request}.url).pathname==="/__counts")return new Response(JSON.stringify(__crossings));`);
const copy = path.join(tmpdir(), `crossings-${process.pid}`);
await mkdir(copy, { recursive: true });
await writeFile(path.join(copy, "index.js"), js);
await copyFile(path.resolve(ROOT, build, "index_bg.wasm"), path.join(copy, "index_bg.wasm"));

const workerd = await startWorkers([builtWorker("counted", copy)]);
try {
  const get = async (pathAndQuery) => (await fetch(new URL(pathAndQuery, workerd.urls.counted))).text();
  const ended = () => workerd.console.lines.filter((line) => line.message.includes(lastLine)).length;
  // One request first, so that set-up done once per isolate is not counted.
  await get(target);
  await workerd.console.until(() => ended() >= 1, 20_000, "the first run's last line");
  await sleep(200);
  const before = JSON.parse(await get("/__counts"));
  for (let i = 0; i < REQUESTS; i++) await get(target);
  await workerd.console.until(() => ended() >= REQUESTS + 1, 20_000, `${REQUESTS} runs' last lines`);
  await sleep(200);
  const after = JSON.parse(await get("/__counts"));
  const perRequest = Object.entries(after)
    .map(([name, count]) => [name, (count - (before[name] ?? 0)) / REQUESTS])
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1]);
  for (const [name, count] of perRequest) console.log(`${count.toFixed(2).padStart(7)}  ${name}`);
  const total = perRequest.reduce((sum, [, count]) => sum + count, 0);
  console.log(`${total.toFixed(2).padStart(7)}  in all, per request of ${target}`);
} finally {
  await workerd.dispose();
}
