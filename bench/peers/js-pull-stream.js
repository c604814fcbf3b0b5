// A hand-written JS worker that streams the same integers as /api/stream
// (text, one per line) through a pull-based ReadableStream: one value per
// pull, highWaterMark 0. The peer the Rust stream's throughput is measured
// against.

export default {
  fetch(request) {
    const count = Number(new URL(request.url).searchParams.get("count") ?? 1000);
    const encoder = new TextEncoder();
    let next = 1;
    const body = new ReadableStream(
      {
        pull(controller) {
          if (next > count) {
            controller.close();
            return;
          }
          controller.enqueue(encoder.encode(`${next++}\n`));
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8" } });
  },
};
