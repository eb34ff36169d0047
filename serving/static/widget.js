/*
 * mimical chat widget for your own site:
 *   <script src="https://YOUR-SERVER/static/widget.js" data-persona="NAME" defer></script>
 * Optional: data-title="Ask me anything", data-open="true" (start opened).
 * The persona's owner must first allow your site's origin
 * (PATCH /api/personas/NAME/web {"embed_origins": ["https://your.site"]}).
 * Everything lives in a shadow root, so the site's CSS and ours do not mix.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.persona) return;
  var persona = script.dataset.persona;
  var title = script.dataset.title || "Chat with " + persona;
  var wsUrl = new URL("../chat/ws", script.src).toString();
  var clientUrl = new URL("chat-client.js", script.src).toString();
  var cssUrl = new URL("chat.css", script.src).toString();

  function loadClient(done) {
    if (window.MimicalChat) return done();
    var tag = document.createElement("script");
    tag.src = clientUrl;
    tag.onload = done;
    document.head.append(tag);
  }

  function build() {
    var host = document.createElement("div");
    host.className = "mimical-widget";
    var shadow = host.attachShadow({ mode: "open" });
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = cssUrl;
    var box = document.createElement("div");
    box.className = "mc-widget";
    var launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "mc-launcher";
    launcher.textContent = title;
    launcher.setAttribute("aria-expanded", "false");
    var panel = document.createElement("div");
    panel.className = "mc-widget-panel";
    panel.hidden = true;
    box.append(panel, launcher);
    shadow.append(css, box);
    document.body.append(host);
    var chat = null;

    function toggle() {
      panel.hidden = !panel.hidden;
      launcher.setAttribute("aria-expanded", String(!panel.hidden));
      launcher.textContent = panel.hidden ? title : "Close chat";
      if (!panel.hidden && !chat) {
        loadClient(function () {
          chat = window.MimicalChat.mount(panel, {
            wsUrl: wsUrl,
            persona: persona,
            title: title,
            refusedText: "This chat is not available on this site.",
          });
          chat.input.focus();
        });
      }
    }

    launcher.addEventListener("click", toggle);
    if (script.dataset.open === "true") toggle();
  }

  if (document.body) build();
  else document.addEventListener("DOMContentLoaded", build);
})();
