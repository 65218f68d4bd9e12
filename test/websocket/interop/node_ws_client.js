// Interop peer: Node's `ws` library (Debian's node-ws, 8.x, found through NODE_PATH) against
// squall-ws-interop-server. `node node_ws_client.js PORT`; exits 1 with the failing check's
// name and what differed.
'use strict';

const http = require('http');

let WebSocket;
try {
  WebSocket = require('ws');
} catch (e) {
  console.error(`node_ws_client: cannot load ws (${e.message}); apt-get install node-ws and put ` +
                '/usr/share/nodejs on NODE_PATH');
  process.exit(1);
}

const PEER = 'ws ' + require('ws/package.json').version;
const port = Number(process.argv[2]);
const STEP_TIMEOUT = 10000;  // ms for any single exchange

class Mismatch extends Error {}

function check(cond, what) {
  if (!cond) throw new Mismatch(what);
}

function describe(v) {
  if (Buffer.isBuffer(v)) return `${v.length} bytes ${v.subarray(0, 16).toString('hex')}...`;
  if (typeof v === 'string') return `${v.length} chars ${JSON.stringify(v.slice(0, 40))}`;
  return JSON.stringify(v);
}

/** An event ({kind, data}) must be a message of `kind` ("text"/"binary") equal to `want`. */
function checkMessage(event, kind, want, what) {
  const got = event.kind === 'text' ? event.data.toString('utf8') : event.data;
  const same = event.kind === kind &&
      (kind === 'text' ? got === want : Buffer.isBuffer(got) && got.equals(want));
  check(same, `${what}: got ${event.kind} ${describe(got)}, want ${kind} ${describe(want)}`);
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Text with one-, two-, three- and four-byte UTF-8 characters (as interop_common.py).
const UTF8_TEXT = 'héllo wörld — ☃ 日本語 🎉 ∑';
const LONG_TEXT = (UTF8_TEXT + ' ').repeat(6000);

function pattern(n, f) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = f(i) % 256;
  return b;
}

// Lengths on each side of the 7-bit, 16-bit and 64-bit length encodings, 64 KiB + 1, 1 MiB.
const BINARY_PAYLOADS = [
  ['0 bytes', Buffer.alloc(0)],
  ['125 bytes', pattern(125, i => i)],
  ['126 bytes', pattern(126, i => i)],
  ['65535 bytes', pattern(65535, i => i)],
  ['65536 bytes', pattern(65536, i => i * 7)],
  ['64 KiB + 1', pattern(65537, i => i * 13 + 5)],
  ['1 MiB', pattern(1 << 20, i => i * 31 + (i >> 8))],
];

/** One connection whose events queue up for next(): {kind: "open"|"text"|"binary"|"pong"|
 * "close"|"refused"|"error", data}. */
class Connection {
  constructor(path, id, protocols, options) {
    this.queue = [];
    this.waiting = [];
    this.ws = new WebSocket(`ws://127.0.0.1:${port}${path}?id=${id}`, protocols || [],
                            Object.assign({handshakeTimeout: STEP_TIMEOUT}, options || {}));
    this.extensionsHeader = '';
    this.ws.on('upgrade', res => { this.extensionsHeader = res.headers['sec-websocket-extensions'] || ''; });
    this.ws.on('open', () => this.push('open'));
    this.ws.on('message', (data, isBinary) => this.push(isBinary ? 'binary' : 'text', data));
    this.ws.on('pong', data => this.push('pong', data));
    this.ws.on('close', (code, reason) => this.push('close', {code, reason: reason.toString()}));
    this.ws.on('unexpected-response', (req, res) => {
      this.push('refused', res.statusCode);
      res.resume();
      req.destroy();
    });
    this.ws.on('error', e => this.push('error', e.message));
  }

  push(kind, data) {
    const event = {kind, data};
    if (this.waiting.length) this.waiting.shift()(event);
    else this.queue.push(event);
  }

  next() {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    return withTimeout(new Promise(resolve => this.waiting.push(resolve)), STEP_TIMEOUT, 'an event');
  }

  async echo(data, options) {
    this.ws.send(data, options || {});
    return this.next();
  }

  async close(code, reason) {
    this.ws.close(code, reason);
    for (;;) {
      const event = await this.next();
      if (event.kind === 'close') return event;
    }
  }
}

async function opened(path, id, protocols, options) {
  const c = new Connection(path, id, protocols, options);
  const event = await c.next();
  check(event.kind === 'open', `the handshake on ${path} failed: ${describe(event)}`);
  return c;
}

function lastClose(id) {
  return withTimeout(new Promise((resolve, reject) => {
    http.get(`http://127.0.0.1:${port}/last-close?id=${id}`, res => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', chunk => { body += chunk; });
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Mismatch(`GET /last-close?id=${id}: ${res.statusCode} ${body}`));
        else resolve(JSON.parse(body));
      });
    }).on('error', reject);
  }), STEP_TIMEOUT + 5000, '/last-close');
}

async function checkServerSaw(id, code, reason) {
  const record = await lastClose(id);
  check(record.code === code, `the server saw close code ${record.code} on ${id}, want ${code}`);
  if (reason !== undefined)
    check(record.reason === reason, `the server saw close reason ${JSON.stringify(record.reason)} on ${id}`);
  return record;
}

const checks = {
  async 'text echo'() {
    const c = await opened('/echo', 'node-text');
    for (const text of ['hello, squall', '', UTF8_TEXT, LONG_TEXT])
      checkMessage(await c.echo(text), 'text', text, 'text echo');
    await c.close(1000);
  },

  async 'binary echo'() {
    const c = await opened('/echo', 'node-binary');
    for (const [name, payload] of BINARY_PAYLOADS)
      checkMessage(await c.echo(payload), 'binary', payload, 'binary echo of ' + name);
    await c.close(1000);
  },

  async 'compressed echo'() {
    // ws offers permessage-deflate by default (and compresses messages of 1 KiB and more).
    const plain = await opened('/echo', 'node-uncompressed');
    check(plain.extensionsHeader === '', `/echo negotiated ${plain.extensionsHeader}`);
    await plain.close(1000);
    for (const path of ['/deflate', '/deflate-reset']) {
      const c = await opened(path, 'node' + path.replace('/', '-'));
      const extensions = c.extensionsHeader;
      check(extensions.startsWith('permessage-deflate'), `${path} answered extensions ${extensions}`);
      check(extensions.includes('server_no_context_takeover') === (path === '/deflate-reset'),
            `${path} answered extensions ${extensions}`);
      for (const text of ['hello, squall', '', UTF8_TEXT, LONG_TEXT])
        checkMessage(await c.echo(text), 'text', text, 'compressed text echo on ' + path);
      for (const [name, payload] of BINARY_PAYLOADS)
        checkMessage(await c.echo(payload), 'binary', payload, `compressed binary echo of ${name} on ${path}`);
      await c.close(1000);
    }
  },

  async 'many in flight'() {
    const c = await opened('/echo', 'node-burst');
    const sent = Array.from({length: 200}, (_, i) => `message ${i}`);
    for (const m of sent) c.ws.send(m);
    for (const m of sent) checkMessage(await c.next(), 'text', m, '200 messages sent at once');
    await c.close(1000);
  },

  async 'fragmented'() {
    const c = await opened('/echo', 'node-fragments');
    const snowman = Buffer.from('☃');  // three bytes, split across two frames
    c.ws.send(Buffer.concat([Buffer.from('frag'), snowman.subarray(0, 1)]), {binary: false, fin: false});
    c.ws.send(snowman.subarray(1), {binary: false, fin: false});
    c.ws.send('mented', {fin: true});
    checkMessage(await c.next(), 'text', 'frag☃mented', 'fragmented text echo');
    const chunks = [Buffer.from([0, 1]), pattern(70000, i => i), Buffer.from([255])];
    c.ws.send(chunks[0], {binary: true, fin: false});
    c.ws.send(chunks[1], {binary: true, fin: false});
    c.ws.send(chunks[2], {binary: true, fin: true});
    checkMessage(await c.next(), 'binary', Buffer.concat(chunks), 'fragmented binary echo');
    await c.close(1000);
  },

  async 'ping pong'() {
    const c = await opened('/echo', 'node-ping');
    c.ws.ping('squall?');
    const event = await c.next();
    check(event.kind === 'pong' && event.data.toString() === 'squall?', `pong: got ${describe(event)}`);
    await c.close(1000);
  },

  async 'ping payloads'() {
    const c = await opened('/echo', 'node-ping-sizes');
    for (const data of [Buffer.alloc(0), pattern(125, i => i * 3)]) {  // none, and the most a ping carries
      c.ws.ping(data);
      const event = await c.next();
      check(event.kind === 'pong' && event.data.equals(data), `pong of ${data.length} bytes: got ${describe(event)}`);
    }
    await c.close(1000);
  },

  async 'server ping'() {
    const c = await opened('/ping', 'node-server-ping');  // the library answers pings itself
    checkMessage(await c.next(), 'text', 'pong squall ping', "the server's report of our pong");
    await c.close(1000);
  },

  async 'client close'() {
    const c = await opened('/echo', 'node-client-close');
    checkMessage(await c.echo('bye soon'), 'text', 'bye soon', 'echo before closing');
    const event = await c.close(4000, 'client bye');
    check(event.data.code === 4000, `the server echoed close code ${event.data.code}, want 4000`);
    await checkServerSaw('node-client-close', 4000, 'client bye');
  },

  async 'server close'() {
    const c = await opened('/close', 'node-server-close');
    const event = await c.next();
    check(event.kind === 'close', `got ${describe(event)} where the server's close was due`);
    check(event.data.code === 4001, `server close code ${event.data.code}, want 4001`);
    check(event.data.reason === 'server bye', `server close reason ${JSON.stringify(event.data.reason)}`);
    await checkServerSaw('node-server-close', 4001);  // ws answers with the code it received
  },

  async 'close without a code'() {
    const c = await opened('/echo', 'node-close-no-code');
    const event = await c.close();  // an empty close frame, answered with an empty one
    check(event.data.code === 1005, `close code ${event.data.code} after an empty close, want 1005 (none)`);
    await checkServerSaw('node-close-no-code', null, '');
  },

  async 'registered close codes'() {
    // Service Restart, Try Again Later, Bad Gateway: registered after RFC 6455, sent by ws.
    for (const code of [1012, 1013, 1014]) {
      const c = await opened('/echo', `node-close-${code}`);
      const event = await c.close(code, 'restarting');
      check(event.data.code === code, `the server answered close code ${code} with ${event.data.code}`);
      await checkServerSaw(`node-close-${code}`, code, 'restarting');
    }
  },

  async 'close reason in UTF-8'() {
    const c = await opened('/echo', 'node-close-utf8');
    const reason = 'au revoir ☃ 日本';
    const event = await c.close(4002, reason);
    check(event.data.code === 4002, `the server echoed close code ${event.data.code}, want 4002`);
    await checkServerSaw('node-close-utf8', 4002, reason);
  },

  async 'echo before a close'() {
    // A 1 MiB message and the close right behind it: the echo comes first, then the close.
    const c = await opened('/echo', 'node-echo-then-close');
    const payload = BINARY_PAYLOADS[BINARY_PAYLOADS.length - 1][1];
    c.ws.send(payload);
    c.ws.close(4003, 'after the big one');
    checkMessage(await c.next(), 'binary', payload, 'the echo sent before the close');
    const event = await c.next();
    check(event.kind === 'close' && event.data.code === 4003, `after the echo: got ${describe(event)}`);
    await checkServerSaw('node-echo-then-close', 4003, 'after the big one');
  },

  async 'client vanishes'() {
    const c = await opened('/echo', 'node-terminate');
    checkMessage(await c.echo('going'), 'text', 'going', 'echo before vanishing');
    c.ws.terminate();  // the TCP connection is destroyed without a close frame
    await checkServerSaw('node-terminate', null, '');
  },

  async 'concurrent connections'() {
    const clients = await Promise.all(Array.from({length: 50}, (_, i) => opened('/echo', `node-many-${i}`)));
    await Promise.all(clients.map(async (c, i) => {
      for (let m = 0; m < 10; m++)
        checkMessage(await c.echo(`client ${i} message ${m}`), 'text', `client ${i} message ${m}`, 'concurrent echo');
      await c.close(1000);
    }));
  },

  async 'subprotocol'() {
    const c = await opened('/subprotocol', 'node-subprotocol', ['chat', 'superchat']);
    check(c.ws.protocol === 'superchat', `negotiated subprotocol ${JSON.stringify(c.ws.protocol)}`);
    checkMessage(await c.next(), 'text', 'superchat', "the server's selected_subprotocol()");
    await c.close(1000);
    const record = await lastClose('node-subprotocol');
    check(record.subprotocol === 'superchat', `the server recorded subprotocol ${record.subprotocol}`);
  },

  async 'cross origin'() {
    const c = new Connection('/echo', 'node-cross-origin', [], {origin: 'http://evil.example'});
    const event = await c.next();
    check(event.kind === 'refused' && event.data === 403,
          `cross-origin handshake: got ${describe(event)}, want a 403 refusal`);
  },
};

(async () => {
  const names = Object.keys(checks);
  for (const name of names) {
    try {
      await withTimeout(checks[name](), 4 * STEP_TIMEOUT, name);
    } catch (e) {
      console.error(`${PEER}: FAIL ${name}: ${e instanceof Mismatch ? '' : e.name + ': '}${e.message}`);
      process.exit(1);
    }
    console.log(`${PEER}: ok ${name}`);
  }
  console.log(`${PEER}: all ${names.length} checks passed`);
  process.exit(0);
})();
