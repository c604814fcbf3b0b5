// The same bytes as /api/stream's text body, returned as one static body: the
// runtime's ceiling for sending them. Bodies are built once per count.

const bodies = new Map();

function body(count) {
  if (!bodies.has(count)) bodies.set(count, encodeLines(count));
  return bodies.get(count);
}

/** "1\n" to "count\n" written digit by digit into one buffer (10 million
 * lines joined as strings would take seconds and most of a gigabyte). */
function encodeLines(count) {
  let length = 0;
  for (let digits = 1, low = 1; low <= count; digits++, low *= 10) length += (Math.min(count, low * 10 - 1) - low + 1) * (digits + 1);
  const bytes = new Uint8Array(length);
  let at = 0;
  for (let value = 1; value <= count; value++) {
    const text = String(value);
    for (let i = 0; i < text.length; i++) bytes[at++] = text.charCodeAt(i);
    bytes[at++] = 10;
  }
  return bytes;
}

export default {
  fetch(request) {
    const count = Number(new URL(request.url).searchParams.get("count") ?? 1000);
    return new Response(body(count), { headers: { "content-type": "text/plain; charset=utf-8" } });
  },
};
