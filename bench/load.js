// A closed-loop load generator: `connections` clients on keep-alive sockets,
// each sending its next request when the last one's body has arrived, until
// `amount` requests are done. Latencies are timed with performance.now(), to
// the microsecond, because the figures here are a few milliseconds.

import http from "node:http";

/** Runs the load; returns p50 and p99 in ms, and the error counts. */
export async function load(url, { connections, amount, method = "GET" }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies = [];
  let issued = 0;
  let errors = 0;
  let non2xx = 0;
  const client = async () => {
    while (issued < amount) {
      issued++;
      const started = performance.now();
      try {
        const status = await send(url, agent, method);
        if (status < 200 || status >= 300) non2xx++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const percentile = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return {
    p50: Number(percentile(50).toFixed(3)),
    p99: Number(percentile(99).toFixed(3)),
    requests: latencies.length,
    errors,
    non2xx,
  };
}

function send(url, agent, method) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { agent, method }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end();
  });
}
