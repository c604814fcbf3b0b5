// The JS peer of POST /api/ingest: reads the request body a chunk at a time,
// pausing `readMs` after each, counts bytes and lines, and answers with the
// counts as JSON. What the Rust route is measured against.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export default {
  async fetch(request) {
    const readMs = Number(new URL(request.url).searchParams.get("readMs") ?? 0);
    const started = Date.now();
    let bytes = 0;
    let lines = 0;
    let chunks = 0;
    const reader = request.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      bytes += value.length;
      chunks += 1;
      for (let i = 0; i < value.length; i++) if (value[i] === 10) lines += 1;
      if (readMs > 0) await sleep(readMs);
    }
    const summary = { route: "ingest", readMs, bytes, lines, chunks, elapsedMs: Date.now() - started };
    return new Response(JSON.stringify(summary), { headers: { "content-type": "application/json" } });
  },
};
