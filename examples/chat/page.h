// The chat page: a message list and a form; its script talks to /chatsocket.
#pragma once

inline constexpr const char* chat_page = R"html(<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>squall chat</title></head>
<body>
<ul id="inbox"></ul>
<form id="form"><input id="body" autocomplete="off" autofocus><button>Post</button></form>
<script>
const ws = new WebSocket(`ws://${location.host}/chatsocket`);
ws.onmessage = (event) => {
  const chat = JSON.parse(event.data);
  const item = document.createElement("li");
  item.textContent = chat.body;  // text, never HTML: what others type cannot run here
  document.getElementById("inbox").append(item);
};
document.getElementById("form").onsubmit = (event) => {
  event.preventDefault();
  const input = document.getElementById("body");
  ws.send(JSON.stringify({body: input.value}));
  input.value = "";
};
</script>
</body></html>
)html";
