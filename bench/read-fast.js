// A reader for throughput: it takes a text body of consecutive integers as
// fast as the socket gives it and keeps nothing of it but its length and its
// last line. The test harness's raw client (tests/harness/raw-http.js)
// decodes chunked framing in JS and keeps the whole body as text: right for
// tests, but on a fast stream that client, not the worker, set the pace (it
// read 6.9 MB bodies at about 130 MB/s where this one reads them at two to
// three times that), and every candidate measured the same client.

import http from "node:http";

/** The length in bytes of the lines "1\n" to "count\n". */
export function textBodyLength(count) {
  let length = 0;
  for (let digits = 1, low = 1; low <= count; digits++, low *= 10) {
    length += (Math.min(count, low * 10 - 1) - low + 1) * (digits + 1);
  }
  return length;
}

/**
 * GETs `path` from `baseUrl` and reads the body to its end; resolves with
 * the seconds it took (from the request to the body's end), or rejects if
 * the status is not 200, the body is not exactly as long as `count` lines
 * of text, or its last line is not `count`. (The content line by line is
 * the end-to-end tests' business; a body of the right length ending in the
 * right value has not dropped or doubled a chunk.)
 */
export function readTextToEnd(baseUrl, path, count, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.get(new URL(path, baseUrl), { agent: false, timeout: timeoutMs }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`${path}: status ${response.statusCode}`));
        return;
      }
      let length = 0;
      let tail = Buffer.alloc(0);
      response.on("data", (data) => {
        length += data.length;
        tail = data.length >= 32 ? data.subarray(data.length - 32) : Buffer.concat([tail, data]).subarray(-32);
      });
      response.on("error", reject);
      response.on("end", () => {
        const seconds = (performance.now() - started) / 1000;
        const last = tail.toString("latin1").split("\n").at(-2);
        const expected = textBodyLength(count);
        if (length !== expected || last !== String(count)) {
          reject(new Error(`${path}: ${length} bytes ending in ${JSON.stringify(last)}, expected ${expected} ending in "${count}"`));
          return;
        }
        resolve({ seconds, bytes: length });
      });
    });
    request.on("timeout", () => request.destroy(new Error(`${path}: no end after ${timeoutMs} ms`)));
    request.on("error", reject);
  });
}
