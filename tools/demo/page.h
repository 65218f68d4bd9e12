// The demo's mustache templates, written into the site's templates/ directory: the front page
// (a tour of every endpoint with try-it controls, the live panel and the chat room), the form
// upload page, the XSRF form, /cookie's 401 page, and the head and foot they share as partials. Part of squall-demo.
#pragma once

namespace squall::demo {

/// templates/head.html: the document's start, with the page's {{title}}, the stylesheet and the
/// way back to the tour.
inline constexpr const char* head_template = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
<link rel="stylesheet" href="{{#static_url}}style.css{{/static_url}}">
</head>
<body>
<header class="top"><a href="/">squall demo</a><span>Tornado's design in C++20</span></header>
<main>
<h1>{{title}}</h1>
)html";

/// templates/foot.html: the end of every page.
inline constexpr const char* foot_template = R"html(<p class="back"><a href="/">&larr; back to the tour</a></p>
</main>
</body>
</html>
)html";

/// templates/index.html: the tour. Each feature has a short explanation and a try-it control
/// whose answer (status, headers, body) is shown beside it; tour.js does the fetching, the live
/// panel and the chat room.
inline constexpr const char* index_template = R"html({{> head.html}}
<p class="lead">Every box below is one feature of the library, served by this process. Press
<em>Try it</em> to send the request from your browser and see the answer as it arrived.</p>

<aside id="panel" class="card">
<h2>This server, live</h2>
<dl>
<dt>connections</dt><dd id="stat-connections">&hellip;</dd>
<dt>requests/s</dt><dd id="stat-rate">&hellip;</dd>
<dt>requests served</dt><dd id="stat-requests">&hellip;</dd>
<dt>poller</dt><dd id="stat-poller">&hellip;</dd>
<dt>resident memory</dt><dd id="stat-rss">&hellip;</dd>
</dl>
<p class="note">Pushed once a second over the <code>/stats</code> WebSocket.</p>
</aside>

<section class="card" id="hello">
<h2>Hello, world</h2>
<p>The smallest handler: <code>GET /hello</code> writes twelve bytes. Other methods get 405.</p>
<button data-try="/hello">Try it</button>
<pre class="result" id="hello-result"></pre>
</section>

<section class="card" id="echo">
<h2>Echo</h2>
<p><code>POST /echo</code> returns the body it got, with its length in <code>X-Body-Length</code>.
gzip-encoded request bodies are decoded first.</p>
<form data-echo><textarea id="echo-body" rows="2">Hello from the browser</textarea>
<button>Try it</button></form>
<pre class="result" id="echo-result"></pre>
</section>

<section class="card" id="gzip">
<h2>Compressed responses</h2>
<p><code>GET /gzip</code> is 112,000 bytes of text; clients that accept gzip get it compressed,
with <code>Content-Encoding: gzip</code> and <code>Vary: Accept-Encoding</code>. Your browser
decodes it: the headers below say it was compressed.</p>
<button data-try="/gzip">Try it</button>
<pre class="result" id="gzip-result"></pre>
</section>

<section class="card" id="static">
<h2>Static files</h2>
<p>StaticFileHandler serves <a href="/static/hello.txt">hello.txt</a>,
<a href="/static/sub/nested.txt">sub/nested.txt</a> and a 1 MiB <a href="/static/big.bin">big.bin</a>
with ETags, conditional requests and byte ranges. This asks for the first 100 bytes only:</p>
<button data-try="/static/big.bin" data-range="bytes=0-99">Try it</button>
<pre class="result" id="static-result"></pre>
</section>

<section class="card" id="upload">
<h2>Streamed uploads</h2>
<p><code>PUT /upload</code> counts and hashes the body as it arrives, never holding it in memory.
Pick a file (up to 2 MiB here) and the server answers with its size and SHA-256. For a browser
form with a progress bar, see <a href="/form-upload">/form-upload</a>.</p>
<form data-upload><input type="file" id="upload-file"> <button>Try it</button></form>
<pre class="result" id="upload-result"></pre>
</section>

<section class="card" id="cookie">
<h2>Signed cookies</h2>
<p><code>/cookie?set=NAME</code> sets a cookie signed with the server's secret (Tornado's format);
<code>/cookie</code> reads it back, and answers 401 when it is missing or was tampered with.</p>
<form data-cookie><label>Name <input id="cookie-name" value="alice"></label>
<button data-cookie-set>Set</button> <button data-cookie-read>Read</button></form>
<pre class="result" id="cookie-result"></pre>
</section>

<section class="card" id="xsrf">
<h2>Cross-site request forgery protection</h2>
<p><a href="/xsrf">/xsrf</a> is a form carrying a token that must match its cookie; a post
without it is refused with 403, as this one is:</p>
<button data-try="/xsrf" data-method="POST" data-body="msg=forged">Try it</button>
<pre class="result" id="xsrf-result"></pre>
</section>

<section class="card" id="redirect">
<h2>Redirects</h2>
<p><code>GET /redirect</code> answers 302 with <code>Location: /hello</code>; the browser follows it.</p>
<button data-try="/redirect">Try it</button>
<pre class="result" id="redirect-result"></pre>
</section>

<section class="card" id="websocket">
<h2>WebSocket</h2>
<p><code>/ws</code> echoes every message (permessage-deflate when the browser offers it, the same
origin only); <code>/ws-close</code> closes at once with 4000 <code>bye</code>, and
<a href="/ws-last-close">/ws-last-close</a> shows the last close frame <code>/ws</code> received.</p>
<form data-ws><input id="ws-message" value="ping from the browser"> <button>Send to /ws</button>
<button type="button" data-ws-close>Open /ws-close</button></form>
<pre class="result" id="websocket-result"></pre>
</section>

<section class="card" id="chat-room">
<h2>Chat room</h2>
<p>Every message goes to everyone on <code>/chat</code>: open this page in a second window to talk to yourself.</p>
<div id="log"></div>
<form id="chat"><input id="message" size="40" autocomplete="off" aria-label="message"> <button>Send</button></form>
</section>
<script src="{{#static_url}}tour.js{{/static_url}}"></script>
</main>
</body>
</html>
)html";

/// templates/cookie_missing.html: /cookie's 401 page for a browser.
inline constexpr const char* cookie_missing_template = R"html({{> head.html}}
<p>This browser has no valid signed <code>user</code> cookie: it was never set, or it was
changed, which the signature reveals. Set one with <a href="/cookie?set=alice">/cookie?set=alice</a>,
then come back to <a href="/cookie">/cookie</a>.</p>
{{> foot.html}})html";

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
<pre id="result" class="result"></pre>
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
{{> foot.html}})html";

/// templates/xsrf.html: a form carrying the XSRF token ({{{xsrf_form_html}}} is raw HTML).
inline constexpr const char* xsrf_template = R"html({{> head.html}}
<p>The hidden <code>_xsrf</code> field holds a token that must match the <code>_xsrf</code>
cookie set with this page. A page on another site can make your browser post here, but it
cannot read the token, so its post is refused with 403.</p>
<form method="post" action="/xsrf">{{{xsrf_form_html}}}
<label>Message <input name="msg" value="hello"></label> <button>Send</button></form>
{{> foot.html}})html";

}  // namespace squall::demo
