/*
 * mimical web chat: the WebSocket client and the chat panel, shared by the /chat
 * page and the embeddable widget. The protocol is documented in
 * serving/channels/web/connection.py. Every text from the server is shown with
 * textContent, never as HTML.
 */
(function (global) {
  "use strict";
  if (global.MimicalChat) return;

  var RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000];
  var NO_RETRY_CODES = [1000, 1003, 1008, 1009];

  function socketUrl(url) {
    var u = new URL(url, global.location.href);
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    return u;
  }

  function readToken(key) {
    try { return global.localStorage.getItem(key); } catch (e) { return null; }
  }

  function writeToken(key, token) {
    try { global.localStorage.setItem(key, token); } catch (e) { /* private mode */ }
  }

  /* One chat connection that reconnects, resumes and queues while offline. */
  function ChatClient(options) {
    this.url = socketUrl(options.wsUrl);
    if (options.persona) this.url.searchParams.set("persona", options.persona);
    this.tokenKey = "mimical-chat:" + this.url.host + ":" + (options.persona || "page");
    this.onFrame = options.onFrame;
    this.onStatus = options.onStatus;
    this.queue = [];
    this.ready = false;
    this.everReady = false;
    this.retries = 0;
    this.ws = null;
  }

  ChatClient.prototype.connect = function () {
    if (this.ws && this.ws.readyState <= 1) return;
    var self = this;
    var opened = false;
    this.ready = false;
    this.onStatus("connecting");
    var ws = new WebSocket(this.url.toString());
    this.ws = ws;
    ws.onopen = function () {
      opened = true;
      ws.send(JSON.stringify({ type: "hello", resume: readToken(self.tokenKey) }));
    };
    ws.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === "session") writeToken(self.tokenKey, frame.token);
      self.onFrame(frame);
      if (frame.type === "history") {
        self.ready = true;
        self.everReady = true;
        self.retries = 0;
        self.onStatus("open");
        self.flush();
      }
    };
    ws.onclose = function (event) {
      if (self.ws !== ws) return;
      self.ready = false;
      if (!opened && !self.everReady) {
        self.onStatus("refused");
      } else if (event.code === 1000) {
        self.onStatus("idle");
      } else if (NO_RETRY_CODES.indexOf(event.code) >= 0) {
        self.onStatus("closed", event.reason);
      } else if (self.retries < RETRY_DELAYS_MS.length) {
        self.onStatus("reconnecting");
        setTimeout(function () { self.connect(); }, RETRY_DELAYS_MS[self.retries++]);
      } else {
        self.onStatus("closed", event.reason);
      }
    };
  };

  ChatClient.prototype.sendFrame = function (frame) {
    this.queue.push(frame);
    if (this.ready) this.flush(); else this.connect();
  };

  ChatClient.prototype.flush = function () {
    while (this.ready && this.queue.length) {
      this.ws.send(JSON.stringify(this.queue.shift()));
    }
  };

  ChatClient.prototype.say = function (text) {
    this.sendFrame({ type: "message", text: text });
  };

  ChatClient.prototype.choose = function (name) {
    this.sendFrame({ type: "choose", persona: name });
  };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var STATUS_TEXT = {
    connecting: "Connecting…",
    reconnecting: "Connection lost, reconnecting…",
    idle: "Disconnected after a quiet while. Send a message to continue.",
    closed: "Disconnected.",
  };

  /* Build a chat panel inside `root` and connect it. */
  function mount(root, options) {
    var panel = el("section", "mc-chat");
    panel.setAttribute("aria-label", "Chat");
    var header = el("div", "mc-header");
    var title = el("span", "mc-title", options.title || "Chat");
    var status = el("span", "mc-status");
    status.setAttribute("role", "status");
    header.append(title, status);
    var notice = el("p", "mc-notice");
    notice.hidden = true;
    var log = el("ol", "mc-log");
    log.setAttribute("aria-live", "polite");
    var typing = el("div", "mc-typing");
    typing.hidden = true;
    var dots = el("span", "mc-dots");
    dots.append(el("i"), el("i"), el("i"));
    var typingText = el("span", "mc-typing-text", "typing…");
    typing.append(dots, typingText);
    var form = el("form", "mc-form");
    var input = el("input", "mc-input");
    input.type = "text";
    input.maxLength = options.maxChars || 1000;
    input.placeholder = "Type a message";
    input.setAttribute("aria-label", "Message");
    input.autocomplete = "off";
    var send = el("button", "mc-send", "Send");
    send.type = "submit";
    form.append(input, send);
    panel.append(header, notice, log, typing, form);
    root.append(panel);

    var persona = null;
    var client;

    function scroll() { log.scrollTop = log.scrollHeight; }

    function add(kind, text, choices) {
      var item = el("li", "mc-msg mc-" + kind, text);
      if (choices && choices.length) {
        var row = el("div", "mc-options");
        choices.forEach(function (name) {
          var button = el("button", "mc-option", name);
          button.type = "button";
          button.addEventListener("click", function () { client.choose(name); });
          row.append(button);
        });
        item.append(row);
      }
      log.append(item);
      scroll();
      return item;
    }

    function showPersona(frame) {
      persona = frame.persona;
      title.textContent = persona ? "Chatting with " + persona : (options.title || "Chat");
      typingText.textContent = (persona || "The bot") + " is typing…";
      notice.hidden = !frame.stored;
      notice.textContent = frame.stored
        ? "The owner of " + persona + " keeps these conversations." : "";
      if (options.onPersona) options.onPersona(persona);
    }

    function onFrame(frame) {
      if (frame.type === "history") {
        log.textContent = "";
        frame.messages.forEach(function (m) { add(m.from === "you" ? "you" : "bot", m.text); });
        client.queue.forEach(function (f) { if (f.type === "message") add("you", f.text); });
        showPersona(frame);
      } else if (frame.type === "persona") {
        showPersona(frame);
      } else if (frame.type === "typing") {
        typing.hidden = !frame.on;
        if (frame.on) scroll();
      } else if (frame.type === "reply") {
        add("bot", frame.text, frame.options);
      } else if (frame.type === "error") {
        add("system", frame.text);
      }
    }

    function onStatus(state, reason) {
      panel.dataset.state = state;
      if (state === "refused") {
        status.textContent = "";
        add("system", options.refusedText || "The chat is not reachable right now.");
        return;
      }
      var text = STATUS_TEXT[state] || "";
      if (state === "closed" && reason) text = "Disconnected: " + reason + ".";
      status.textContent = text;
      if (state !== "open" && state !== "connecting") typing.hidden = true;
    }

    client = new ChatClient({
      wsUrl: options.wsUrl, persona: options.persona, onFrame: onFrame, onStatus: onStatus,
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      add("you", text);
      input.value = "";
      client.say(text);
    });

    client.connect();
    return { client: client, panel: panel, input: input };
  }

  global.MimicalChat = { ChatClient: ChatClient, mount: mount };
})(window);
