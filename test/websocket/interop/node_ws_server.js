// Interop peer server: Node's `ws` library (Debian's node-ws, 8.x, found through NODE_PATH) for
// squall-ws-interop-client to connect to. `node node_ws_server.js` listens on a kernel-chosen
// loopback port, prints `port N` and serves the paths interop_client.cpp expects until SIGTERM.
'use strict';

const http = require('http');

let WebSocket;
try {
  WebSocket = require('ws');
} catch (e) {
  console.error(`node_ws_server: cannot load ws (${e.message}); apt-get install node-ws and put ` +
                '/usr/share/nodejs on NODE_PATH');
  process.exit(1);
}

let errors = 0;

function reportError(where, e) {
  errors++;
  console.error(`ERROR ${where}: ${e && e.stack ? e.stack : e}`);
}

function selectSubprotocol(offered, request) {
  if (!request.url.startsWith('/subprotocol')) return false;
  return offered.has('superchat') ? 'superchat' : false;
}

// /deflate accepts permessage-deflate; every other path has it disabled.
const plain = new WebSocket.Server({noServer: true, handleProtocols: selectSubprotocol});
const deflating = new WebSocket.Server({noServer: true, perMessageDeflate: true});

/** Echoes (text as text, binary as binary). "compressed?" is answered with whether its frame
 * had RSV1 set, "wire size?" with the payload length of the message before it as it came
 * (compressed or not): ws keeps both on its receiver while it emits a message. "fragments?" is
 * answered with "fragmented message " 300 times in three frames (large enough to be compressed
 * where permessage-deflate is on: ws leaves a message whose first frame is under 1 KiB alone). */
const PIECE = 'fragmented message '.repeat(100);
const FRAGMENTS = [[PIECE, false], [PIECE, false], [PIECE, true]];

function echo(ws, data, isBinary) {
  const query = isBinary ? '' : data.toString();
  if (query === 'compressed?') ws.send(ws._receiver._compressed ? 'yes' : 'no');
  else if (query === 'wire size?') ws.send(String(ws.previousSize));
  else if (query === 'fragments?') for (const [piece, fin] of FRAGMENTS) ws.send(piece, {fin});
  else ws.send(data, {binary: isBinary});
  ws.previousSize = ws._receiver._payloadLength;
}

function serve(ws, path) {
  ws.on('error', e => reportError(path, e));
  ws.on('message', (data, isBinary) => echo(ws, data, isBinary));
  if (path === '/close') ws.close(4000, 'bye');
  if (path === '/ping') {
    ws.on('pong', data => ws.send('pong ' + data.toString()));
    ws.ping('server ping');
  }
}

const server = http.createServer((req, res) => {
  res.writeHead(404);
  res.end();
});
server.on('upgrade', (request, socket, head) => {
  const path = request.url.split('?')[0];
  const wss = path === '/deflate' ? deflating : plain;
  wss.handleUpgrade(request, socket, head, ws => serve(ws, path));
});
server.on('clientError', e => reportError('http', e));

process.on('uncaughtException', e => reportError('uncaught', e));
process.on('SIGTERM', () => {
  for (const wss of [plain, deflating]) for (const ws of wss.clients) ws.terminate();
  server.close(() => process.exit(errors ? 1 : 0));
});

server.listen(0, '127.0.0.1', () => {
  console.log(`port ${server.address().port}`);
});
