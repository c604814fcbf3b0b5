// The JS peer of GET /api/proxy: fetches the same origin stream through its
// ORIGIN binding (the Rust worker's /api/stream, as the Rust proxy does) and
// pipes it through a TransformStream that does the same transform (value,
// square, running sum, as text or NDJSON), with the same look-ahead in
// chunks (`transformHighWaterMark`). What the Rust route is measured against.

const encoder = new TextEncoder();

export default {
  async fetch(request, env) {
    const params = new URL(request.url).searchParams;
    const highWaterMark = Number(params.get("transformHighWaterMark") ?? 1);
    params.delete("transformHighWaterMark");
    const format = params.get("format") ?? "text";
    const origin = await env.ORIGIN.fetch(`https://origin/api/stream?${params}`);
    const decoder = new TextDecoder();
    let partial = "";
    let sum = 0;
    const transform = new TransformStream(
      {
        transform(chunk, controller) {
          const lines = (partial + decoder.decode(chunk, { stream: true })).split("\n");
          partial = lines.pop();
          let out = "";
          for (const line of lines) {
            if (format === "text") {
              const value = Number(line);
              sum += value;
              out += `${value} ${value * value} ${sum}\n`;
              continue;
            }
            const object = JSON.parse(line);
            if (object.event === "summary") {
              out += `${line}\n`;
              continue;
            }
            sum += object.value;
            out += `${JSON.stringify({ value: object.value, square: object.value * object.value, sum, producedAt: object.producedAt, lead: object.lead })}\n`;
          }
          if (out !== "") controller.enqueue(encoder.encode(out));
        },
        flush() {
          if (partial !== "") throw new Error("the origin's body ended mid-line");
        },
      },
      new CountQueuingStrategy({ highWaterMark }),
    );
    const contentType = format === "text" ? "text/plain; charset=utf-8" : "application/x-ndjson";
    return new Response(origin.body.pipeThrough(transform), {
      headers: { "content-type": contentType, "cache-control": "no-store, no-transform" },
    });
  },
};
