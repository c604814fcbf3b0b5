// Writes `lines` console lines and nothing else: the JS twin of the plain
// Rust port's /log route (bench/plain-port), to price one console line
// written from JS against one written from wasm, above each stack's floor.

export default {
  fetch(request) {
    const lines = Number(new URL(request.url).searchParams.get("lines") ?? 1);
    for (let line = 1; line <= lines; line++) console.log(`Stream value: ${line}`);
    return new Response("logged");
  },
};
