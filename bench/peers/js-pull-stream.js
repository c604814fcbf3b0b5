// A hand-written JS worker that streams the same integers as /api/stream
// (text, one per line) through a pull-based ReadableStream with a
// highWaterMark of 0. By default one value per pull, the recipe's way: the
// peer the Rust stream's throughput at batch 1 is measured against. With
// `batch=N`, N values per chunk, one chunk per pull: what JS itself reaches
// when it makes the values it streams, the floor beside the static body.

export default {
  fetch(request) {
    const query = new URL(request.url).searchParams;
    const count = Number(query.get("count") ?? 1000);
    const batch = Number(query.get("batch") ?? 1);
    const encoder = new TextEncoder();
    let next = 1;
    const body = new ReadableStream(
      {
        pull(controller) {
          if (next > count) {
            controller.close();
            return;
          }
          let text = "";
          for (let i = 0; i < batch && next <= count; i++) text += `${next++}\n`;
          controller.enqueue(encoder.encode(text));
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8" } });
  },
};
