// A hand-written JS worker that streams the same integers as /api/stream
// (text, one per line) through a pull-based ReadableStream with a
// highWaterMark of 0. By default one value per pull, the recipe's way: the
// peer the Rust stream's throughput at batch 1 is measured against. With
// `batch=N`, N values per chunk, one chunk per pull: what JS itself reaches
// when it makes the values it streams, the floor beside the static body.
// With `premade=1`, every line is encoded before the stream starts and a pull
// only hands over the next one: a pull that does no work at all, the floor of
// any stream that sends one value per pull.

export default {
  fetch(request) {
    const query = new URL(request.url).searchParams;
    const count = Number(query.get("count") ?? 1000);
    const batch = Number(query.get("batch") ?? 1);
    const encoder = new TextEncoder();
    let next = 1;
    const made = query.get("premade") === "1" ? premade(encoder, count, batch) : null;
    const body = new ReadableStream(
      {
        pull(controller) {
          if (next > count) {
            controller.close();
            return;
          }
          if (made) {
            controller.enqueue(made[Math.floor((next - 1) / batch)]);
            next += batch;
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

const premadeBodies = new Map();

/**
 * The stream's chunks, `batch` lines each, as views of one encoded body,
 * made once per count and batch (like the static body) so that a request
 * only hands them over.
 */
function premade(encoder, count, batch) {
  const key = `${count}/${batch}`;
  if (!premadeBodies.has(key)) premadeBodies.set(key, chunksOf(encoder, count, batch));
  return premadeBodies.get(key);
}

function chunksOf(encoder, count, batch) {
  const chunks = [];
  let text = "";
  const ends = [];
  for (let value = 1; value <= count; value++) {
    text += `${value}\n`;
    if (value % batch === 0 || value === count) ends.push(text.length);
  }
  const bytes = encoder.encode(text);
  let start = 0;
  for (const end of ends) {
    chunks.push(bytes.subarray(start, end));
    start = end;
  }
  return chunks;
}
