/*
 * The /chat page: the persona buttons (the public list that `%show all` gives)
 * and one chat panel. The session lives in the page's signed cookie.
 */
(function () {
  "use strict";
  var body = document.body;
  var list = document.getElementById("persona-list");
  var buttons = {};
  var wanted = body.dataset.persona || "";
  var chat;

  function mark(current) {
    Object.keys(buttons).forEach(function (name) {
      buttons[name].setAttribute("aria-pressed", String(name === current));
    });
    if (wanted && (current || "").toLowerCase() !== wanted.toLowerCase()) {
      chat.client.choose(wanted);
    }
    wanted = "";
  }

  function showPersonas(names) {
    list.textContent = "";
    if (!names.length) {
      var empty = document.createElement("p");
      empty.className = "mc-muted";
      empty.textContent = "There are no public personas yet.";
      list.append(empty);
      return;
    }
    names.forEach(function (name) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "mc-persona";
      button.textContent = name;
      button.setAttribute("role", "listitem");
      button.setAttribute("aria-pressed", "false");
      button.addEventListener("click", function () { chat.client.choose(name); });
      buttons[name] = button;
      list.append(button);
    });
  }

  chat = window.MimicalChat.mount(document.getElementById("chat"), {
    wsUrl: body.dataset.wsUrl,
    title: "Chat",
    onPersona: mark,
  });

  fetch(body.dataset.personasUrl, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) { showPersonas(data.personas || []); })
    .catch(function () { list.textContent = "Could not load the personas."; });
})();
