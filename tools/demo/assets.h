// The demo's static assets, written into the site's static/ directory: the stylesheet every page
// links and the front page's script (try-it controls, the live panel, the chat room). Part of
// squall-demo.
#pragma once

namespace squall::demo {

/// static/style.css
inline constexpr const char* style_css = R"css(:root { --ink: #1d2430; --muted: #5b6575; --line: #d9dee6; --accent: #0b6bcb; --paper: #f6f8fb; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--ink); background: var(--paper); }
header.top { display: flex; gap: 1rem; align-items: baseline; padding: .6rem 1.5rem; background: var(--ink); color: #fff; }
header.top a { color: #fff; font-weight: 600; text-decoration: none; }
header.top span { color: #aab4c3; font-size: .9rem; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: 1rem 0 .5rem; }
h2 { font-size: 1.1rem; margin: 0 0 .4rem; }
a { color: var(--accent); }
code { background: #e8edf3; padding: 0 .25rem; border-radius: 3px; font-size: .92em; }
.lead { color: var(--muted); }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.2rem; margin: 1rem 0; }
#panel { float: right; width: 16rem; margin: 0 0 1rem 1rem; }
#panel dl { display: grid; grid-template-columns: auto 1fr; gap: .2rem .8rem; margin: 0; }
#panel dt { color: var(--muted); }
#panel dd { margin: 0; font-variant-numeric: tabular-nums; font-weight: 600; }
.note { color: var(--muted); font-size: .85rem; margin: .5rem 0 0; }
button { font: inherit; padding: .25rem .8rem; border: 1px solid var(--accent); border-radius: 5px; background: var(--accent); color: #fff; cursor: pointer; }
button:hover { filter: brightness(1.1); }
input, textarea { font: inherit; padding: .2rem .4rem; border: 1px solid var(--line); border-radius: 4px; }
textarea { width: 100%; display: block; margin-bottom: .4rem; }
pre.result { background: #0f1620; color: #d6e2f0; padding: .6rem .8rem; border-radius: 6px; overflow-x: auto; font-size: .85rem; white-space: pre-wrap; word-break: break-all; }
pre.result:empty { display: none; }
#log { border: 1px solid var(--line); border-radius: 6px; height: 12rem; overflow-y: auto; padding: .5rem; margin-bottom: .5rem; background: var(--paper); }
progress { vertical-align: middle; width: 12rem; }
.back { margin-top: 2rem; }
@media (max-width: 50rem) { #panel { float: none; width: auto; margin: 1rem 0; } }
)css";

/// static/tour.js: every answer is shown with textContent, never as HTML.
inline constexpr const char* tour_js = R"js("use strict";
const wsBase = (location.protocol === "https:" ? "wss://" : "ws://") + location.host;

function excerpt(text) {
  return text.length > 400 ? text.slice(0, 400) + "\u2026 (" + text.length + " characters in all)" : text;
}

// The answer as it arrived: status line, headers, then the body (or its size).
function describe(response, body) {
  let text = "HTTP " + response.status + " " + response.statusText;
  if (response.redirected) text += "  (followed a redirect to " + new URL(response.url).pathname + ")";
  text += "\n";
  response.headers.forEach((value, name) => { text += name + ": " + value + "\n"; });
  return text + "\n" + body;
}

async function tryIt(out, url, options, binary) {
  const element = document.getElementById(out);
  element.textContent = "\u2026";
  try {
    const response = await fetch(url, options);
    let body = binary ? (await response.arrayBuffer()).byteLength + " bytes of body" : await response.text();
    // An HTML answer (an error page) is shown as its text, parsed inertly: no script runs.
    if (!binary && (response.headers.get("content-type") || "").includes("text/html")) {
      const page = new DOMParser().parseFromString(body, "text/html");
      body = "(an HTML page) " + (page.querySelector("main") || page.body).textContent.replace(/\s+/g, " ").trim();
    }
    body = binary ? body : excerpt(body);
    element.textContent = describe(response, body);
  } catch (e) {
    element.textContent = "failed: " + e;
  }
}

for (const button of document.querySelectorAll("button[data-try]")) {
  button.addEventListener("click", () => {
    const headers = {};
    const options = {method: button.dataset.method || "GET", headers};
    if (button.dataset.range) headers["Range"] = button.dataset.range;
    if (button.dataset.body) {
      options.body = button.dataset.body;
      headers["Content-Type"] = "application/x-www-form-urlencoded";
    }
    tryIt(button.closest("section").id + "-result", button.dataset.try, options, !!button.dataset.range);
  });
}

document.querySelector("form[data-echo]").addEventListener("submit", (e) => {
  e.preventDefault();
  tryIt("echo-result", "/echo", {method: "POST", body: document.getElementById("echo-body").value});
});

document.querySelector("form[data-upload]").addEventListener("submit", (e) => {
  e.preventDefault();
  const file = document.getElementById("upload-file").files[0];
  if (!file) {
    document.getElementById("upload-result").textContent = "pick a file first";
    return;
  }
  tryIt("upload-result", "/upload", {method: "PUT", body: file});
});

const cookieForm = document.querySelector("form[data-cookie]");
cookieForm.addEventListener("submit", (e) => e.preventDefault());
cookieForm.querySelector("[data-cookie-set]").addEventListener("click", () =>
  tryIt("cookie-result", "/cookie?set=" + encodeURIComponent(document.getElementById("cookie-name").value)));
cookieForm.querySelector("[data-cookie-read]").addEventListener("click", () => tryIt("cookie-result", "/cookie"));

const wsForm = document.querySelector("form[data-ws]");
function openSocket(path, onopen) {
  const out = document.getElementById("websocket-result");
  out.textContent = "connecting to " + path + "\u2026";
  const socket = new WebSocket(wsBase + path);
  socket.onopen = () => {
    out.textContent = "open (extensions: " + (socket.extensions || "none") + ")";
    onopen(socket, out);
  };
  socket.onclose = (c) => { out.textContent += "\nclosed: " + c.code + (c.reason ? " " + c.reason : ""); };
  return socket;
}
wsForm.addEventListener("submit", (e) => {
  e.preventDefault();
  const text = document.getElementById("ws-message").value;
  openSocket("/ws", (socket, out) => {
    socket.onmessage = (m) => {
      out.textContent += "\nreceived: " + m.data;
      socket.close(1000, "done");
    };
    out.textContent += "\nsent: " + text;
    socket.send(text);
  });
});
wsForm.querySelector("[data-ws-close]").addEventListener("click", () => openSocket("/ws-close", () => {}));

// The live panel: a snapshot a second; requests/s from the last two.
function setText(id, value) { document.getElementById(id).textContent = value; }
function mebibytes(n) { return (n / 1048576).toFixed(1) + " MiB"; }
let lastStats = null;
const stats = new WebSocket(wsBase + "/stats");
stats.onmessage = (m) => {
  const s = JSON.parse(m.data);
  setText("stat-connections", s.connections);
  setText("stat-requests", s.requests);
  setText("stat-poller", s.poller);
  setText("stat-rss", mebibytes(s.rss_bytes));
  if (lastStats && s.uptime_s > lastStats.uptime_s)
    setText("stat-rate", ((s.requests - lastStats.requests) / (s.uptime_s - lastStats.uptime_s)).toFixed(1));
  lastStats = s;
};
stats.onclose = () => setText("stat-poller", "(panel disconnected)");

// The chat room.
const log = document.getElementById("log");
function show(text) {
  const line = document.createElement("div");
  line.textContent = text;
  log.appendChild(line);
  log.scrollTop = log.scrollHeight;
}
const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/chat");
ws.onopen = () => show("(connected)");
ws.onmessage = (e) => show(e.data);
ws.onclose = (e) => show("(disconnected, code " + e.code + ": reload the page to rejoin)");
document.getElementById("chat").onsubmit = (e) => {
  e.preventDefault();
  const input = document.getElementById("message");
  if (input.value && ws.readyState === WebSocket.OPEN) ws.send(input.value);
  input.value = "";
};
)js";

}  // namespace squall::demo
