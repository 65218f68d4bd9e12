// The demo's mustache templates, written into the site's templates/ directory: the front page
// (links to every endpoint and the chat room client, which talks to /chat over WebSocket), the
// form upload page, the XSRF form, and the head they share as a partial. Part of squall-demo.
#pragma once

namespace squall::demo {

/// templates/head.html: the document's start, with the page's {{title}}.
inline constexpr const char* head_template = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{title}}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
code { background: #f3f3f3; padding: 0 .2rem; }
#log { border: 1px solid #ccc; height: 12rem; overflow-y: auto; padding: .5rem; margin-bottom: .5rem; }
</style>
</head>
<body>
<h1>{{title}}</h1>
)html";

/// templates/index.html: the front page.
inline constexpr const char* index_template = R"html({{> head.html}}
<p>Tornado's design in C++20. Each link shows one feature.</p>
<ul>
<li><a href="/hello">/hello</a>: the smallest handler</li>
<li><code>POST /echo</code>: the body back, with <code>X-Body-Length</code> (gzip request bodies are decoded)</li>
<li><code>POST /upload</code>: a streamed body, counted and hashed, never held in memory</li>
<li><a href="/form-upload">/form-upload</a>: a browser form upload with a progress bar, its
    multipart/form-data body parsed as it streams in</li>
<li><a href="/static/hello.txt">/static/hello.txt</a>, <a href="/static/big.bin">/static/big.bin</a>,
    <a href="/static/sub/nested.txt">/static/sub/nested.txt</a>: static files with ranges and caching</li>
<li><a href="/cookie?set=alice">/cookie?set=alice</a> then <a href="/cookie">/cookie</a>: a signed cookie</li>
<li><a href="/xsrf">/xsrf</a>: a form protected against cross-site request forgery</li>
<li><a href="/redirect">/redirect</a>: 302 to /hello</li>
<li><a href="/gzip">/gzip</a>: a compressible page, gzipped when your client accepts it</li>
<li><code>/ws</code>: a WebSocket echo (text stays text, binary stays binary; same origin only), and
    <a href="/ws-last-close">/ws-last-close</a>: the code and reason of the last close frame it received</li>
<li><code>/ws-close</code>: a WebSocket closed at once with 4000 <code>bye</code></li>
<li><code>/chat</code>: the WebSocket chat room below; every message goes to everyone in the room</li>
</ul>
<h2>Chat room</h2>
<div id="log"></div>
<form id="chat"><input id="message" size="40" autocomplete="off"> <button>Send</button></form>
<script>
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
ws.onclose = () => show("(chat unavailable)");
document.getElementById("chat").onsubmit = (e) => {
  e.preventDefault();
  const input = document.getElementById("message");
  if (input.value && ws.readyState === WebSocket.OPEN) ws.send(input.value);
  input.value = "";
};
</script>
</body>
</html>
)html";

/// templates/form_upload.html: files and a field sent as multipart/form-data; the progress bar
/// follows the upload and the server's answer (each part's size and SHA-256) is shown.
inline constexpr const char* form_upload_template = R"html({{> head.html}}
<p>The body is parsed part by part as it arrives: each file is counted and hashed, never held
in memory, so the size of an upload does not matter.</p>
<form id="upload" method="post" action="/form-upload" enctype="multipart/form-data">
<p><label>Files <input type="file" name="file" multiple></label></p>
<p><label>Comment <input name="comment" value="hello"></label></p>
<p><button>Upload</button> <progress id="progress" max="1" value="0"></progress> <span id="percent"></span></p>
</form>
<pre id="result"></pre>
<p><a href="/">Back to the tour</a></p>
<script>
document.getElementById("upload").onsubmit = (e) => {
  e.preventDefault();
  const xhr = new XMLHttpRequest();
  const progress = document.getElementById("progress");
  xhr.upload.onprogress = (p) => {
    if (!p.lengthComputable) return;
    progress.value = p.loaded / p.total;
    document.getElementById("percent").textContent = Math.round(100 * p.loaded / p.total) + "%";
  };
  xhr.onload = () => {
    progress.value = 1;
    document.getElementById("result").textContent = xhr.status + "\n" + xhr.responseText;
  };
  xhr.onerror = () => { document.getElementById("result").textContent = "upload failed"; };
  xhr.open("POST", "/form-upload");
  xhr.send(new FormData(e.target));
};
</script>
</body>
</html>
)html";

/// templates/xsrf.html: a form carrying the XSRF token ({{{xsrf_form_html}}} is raw HTML).
inline constexpr const char* xsrf_template = R"html({{> head.html}}
<form method="post" action="/xsrf">{{{xsrf_form_html}}}<input name="msg" value="hello"><button>Send</button></form>
</body>
</html>
)html";

}  // namespace squall::demo
