// The Node ws peer of tools/bench/run-wsbench: echo every message as it came, one process,
// printing "ready PORT". Debian's node-ws (NODE_PATH=/usr/share/nodejs).
const { WebSocketServer } = require("ws");
const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false, maxPayload: 64 << 20 });
wss.on("listening", () => console.log("ready " + wss.address().port));
wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
