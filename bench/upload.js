// One unpaced upload, timed: what `make bench` compares against the JS peer
// and `bench/ab.js --upload` between two builds.

import { rawUpload } from "../tests/harness/raw-http.js";
import { cpuMs } from "./measure.js";

/** The upload's size: 16 MiB, less a little to stay under the route's limit. */
export const UPLOAD_BYTES = 16 * 1024 * 1024 - 1024;

/**
 * POSTs `size` bytes to `path` as fast as the socket takes them and waits for
 * the answer, which must say every byte was read; returns MB per second and
 * workerd's CPU (process `pid`) per MB.
 */
export async function timedUpload(url, path, pid, size = UPLOAD_BYTES) {
  const cpuBefore = await cpuMs(pid);
  const started = performance.now();
  const client = rawUpload(url, path, { size, contentType: "application/octet-stream" });
  await client.until((c) => c.ended, 60_000, `the answer to an upload to ${url}${path}`);
  const seconds = (performance.now() - started) / 1000;
  const read = JSON.parse(client.body).bytes;
  if (read !== size) throw new Error(`${url}${path} read ${read} of ${size} bytes`);
  return { mbPerSecond: size / 1e6 / seconds, cpuMsPerMb: ((await cpuMs(pid)) - cpuBefore) / (size / 1e6) };
}
