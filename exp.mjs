import { startWorker } from "./tests/e2e/support.js";
import net from "node:net";
const w = await startWorker({ name: "exp", modules: { "w.js": "/tmp/exp/w.js" }, compatibilityFlags: ["enable_request_signal"] });
const u = new URL(w.url);
// slow client: read 2KB then stop reading; close after 2s
const s = net.connect(Number(u.port), u.hostname);
let got = 0;
s.on("data", (d) => { got += d.length; if (got > 2000) s.pause(); });
s.write(`GET /?count=1000000 HTTP/1.1\r\nHost: x\r\n\r\n`);
await new Promise(r => setTimeout(r, 1500));
console.log("client got", got);
s.destroy();
await new Promise(r => setTimeout(r, 2500));
// fast full read, small
const r = await fetch(new URL("/?count=10", w.url)); console.log((await r.text()).length);
await new Promise(r => setTimeout(r, 500));
for (const l of w.console.lines) console.log(l.message);
await w.dispose();
