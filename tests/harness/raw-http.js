// A minimal HTTP/1.1 client over a raw TCP socket, for tests and benchmarks
// that need backpressure to reach the worker: fetch (and Miniflare's
// dispatchFetch) read the whole body as fast as they can, this client reads
// only when told.

import { EventEmitter } from "node:events";
import net from "node:net";
import { waitUntil } from "./wait.js";

/**
 * Sends `GET path` and returns a handle that decodes the chunked body.
 * `headers` are added to the request as they are.
 */
export function rawGet(baseUrl, path, headers = {}) {
  const url = new URL(baseUrl);
  const socket = net.connect(Number(url.port), url.hostname);
  // Keep Node's own buffering small, so that pausing stops reading soon.
  socket.setNoDelay(true);
  const client = new RawResponse(socket);
  // No Accept-Encoding unless asked: the runtime would compress (and buffer)
  // the body.
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("");
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n${extra}\r\n`);
  return client;
}

/**
 * Sends `GET path` and reads the response to its end (no decompression on
 * this side); rejects after `timeoutMs`.
 */
export async function rawGetToEnd(baseUrl, path, headers = {}, timeoutMs = 30_000) {
  const client = rawGet(baseUrl, path, headers);
  await client.until((c) => c.ended, timeoutMs, `the end of ${path}`);
  return client;
}

class RawResponse {
  status = undefined;
  headers = {};
  /** The decoded body so far, as text. */
  body = "";
  /** The same, as the bytes received (for a compressed body). */
  #bodyBytes = [];
  ended = false;
  #raw = Buffer.alloc(0);
  #inBody = false;
  #changes = new EventEmitter().setMaxListeners(0);

  constructor(socket) {
    this.socket = socket;
    socket.on("data", (data) => this.#receive(data));
    socket.on("end", () => this.#finish());
    socket.on("close", () => this.#finish());
    socket.on("error", () => this.#finish());
  }

  /** The body's bytes so far, after chunked decoding. */
  get bytes() {
    return Buffer.concat(this.#bodyBytes);
  }

  /** Complete lines received so far. */
  get lines() {
    const complete = this.body.slice(0, this.body.lastIndexOf("\n") + 1);
    return complete === "" ? [] : complete.slice(0, -1).split("\n");
  }

  pause() {
    this.socket.pause();
  }

  destroy() {
    this.socket.destroy();
  }

  /** Resolves when `predicate(this)` holds; rejects after `timeoutMs`. */
  async until(predicate, timeoutMs, what) {
    await waitUntil(() => predicate(this), {
      timeoutMs,
      what,
      seen: () => `have status ${this.status}, ${this.body.length} body bytes${this.ended ? ", ended" : ""}`,
      changes: this.#changes,
    });
  }

  #finish() {
    this.ended = true;
    this.#changes.emit("change");
  }

  #receive(data) {
    this.#raw = Buffer.concat([this.#raw, data]);
    if (!this.#inBody) {
      const end = this.#raw.indexOf("\r\n\r\n");
      if (end < 0) return;
      const [statusLine, ...headerLines] = this.#raw.subarray(0, end).toString("latin1").split("\r\n");
      this.status = Number(statusLine.split(" ")[1]);
      for (const line of headerLines) {
        const colon = line.indexOf(":");
        this.headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      this.#raw = this.#raw.subarray(end + 4);
      this.#inBody = true;
    }
    this.#decodeChunks();
    this.#changes.emit("change");
  }

  #decodeChunks() {
    if (this.headers["transfer-encoding"] !== "chunked") {
      this.#bodyBytes.push(this.#raw);
      this.body += this.#raw.toString("utf8");
      this.#raw = Buffer.alloc(0);
      return;
    }
    for (;;) {
      const lineEnd = this.#raw.indexOf("\r\n");
      if (lineEnd < 0) return;
      const size = parseInt(this.#raw.subarray(0, lineEnd).toString("latin1"), 16);
      if (this.#raw.length < lineEnd + 2 + size + 2) return;
      const chunk = this.#raw.subarray(lineEnd + 2, lineEnd + 2 + size);
      this.#bodyBytes.push(chunk);
      this.body += chunk.toString("utf8");
      this.#raw = this.#raw.subarray(lineEnd + 2 + size + 2);
      if (size === 0) return;
    }
  }
}

/**
 * Sends `POST path` with a body of `size` bytes (16-byte lines of text)
 * written as fast as the socket takes them, honouring its backpressure: the
 * handle's `upload.written` is how many body bytes the kernel has accepted
 * so far, and `upload.stop()` stops writing. With `chunked`, the body goes
 * with chunked encoding and no `Content-Length`; with `headOnly`, only the
 * request's head is sent; with `stopAt`, the writing stops (the connection
 * left open) once that many body bytes are written: a stalled uploader.
 */
export function rawUpload(baseUrl, path, { size, contentType = "text/plain", chunked = false, headOnly = false, stopAt = size }) {
  const url = new URL(baseUrl);
  const socket = net.connect(Number(url.port), url.hostname);
  socket.setNoDelay(true);
  const client = new RawResponse(socket);
  const length = chunked ? "Transfer-Encoding: chunked\r\n" : `Content-Length: ${size}\r\n`;
  const head = `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\nContent-Type: ${contentType}\r\n${length}\r\n`;
  const headBytes = Buffer.byteLength(head);
  socket.write(head);
  const piece = Buffer.from("0123456789abcde\n".repeat(4096));
  let sent = 0;
  let stopped = headOnly;
  const pump = () => {
    while (!stopped && sent < stopAt && !socket.destroyed) {
      const part = piece.subarray(0, Math.min(piece.length, stopAt - sent));
      sent += part.length;
      const frames = chunked ? [`${part.length.toString(16)}\r\n`, part, "\r\n"] : [part];
      let more = true;
      for (const frame of frames) more = socket.write(frame);
      if (sent >= size && chunked) socket.write("0\r\n\r\n");
      if (!more) {
        socket.once("drain", pump);
        return;
      }
    }
  };
  socket.on("error", () => {});
  pump();
  client.upload = {
    get written() {
      return Math.max(0, socket.bytesWritten - headBytes);
    },
    stop() {
      stopped = true;
    },
  };
  return client;
}
