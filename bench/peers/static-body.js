// The same bytes as /api/stream's text body, returned as one static body: the
// runtime's ceiling for sending them. Bodies are built once per count.

const bodies = new Map();

function body(count) {
  if (!bodies.has(count)) {
    const lines = new Array(count);
    for (let i = 0; i < count; i++) lines[i] = `${i + 1}\n`;
    bodies.set(count, new TextEncoder().encode(lines.join("")));
  }
  return bodies.get(count);
}

export default {
  fetch(request) {
    const count = Number(new URL(request.url).searchParams.get("count") ?? 1000);
    return new Response(body(count), { headers: { "content-type": "text/plain; charset=utf-8" } });
  },
};
