/*
 * The /create page: upload an export with a progress bar, show the manage token
 * once, then follow the build (polling /personas/NAME/build, which the owner's
 * cookie opens) until it is ready. After a reload the server names the build
 * this browser started (data-watch), so nothing is lost with the tab.
 */
(function () {
  "use strict";
  var body = document.body;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var $ = function (id) { return document.getElementById(id); };
  var form = $("create-form"), input = $("export"), drop = $("drop");
  var maxBytes = Number(body.dataset.maxBytes);
  var STAGES = ["queued", "importing", "building corpus", "confirm owner",
    "training", "evaluating", "storing", "done"];
  var POLL_MS = 1000;
  var name = body.dataset.watch || "";
  var pickedOwner = false;

  function mb(bytes) { return (bytes / 1048576).toFixed(1) + " MB"; }
  function clock(seconds) {
    var s = Math.max(0, Math.round(seconds));
    return Math.floor(s / 60) + " min " + (s % 60) + " s";
  }
  function setState(id, state) { $(id).dataset.state = state; }

  // ---- choosing the file: picker or drag and drop ----

  function showFile() {
    var file = input.files[0];
    $("file-name").textContent = file ? file.name + " (" + mb(file.size) + ")" : "";
  }
  input.addEventListener("change", showFile);
  ["dragenter", "dragover"].forEach(function (kind) {
    drop.addEventListener(kind, function (event) {
      event.preventDefault();
      drop.classList.add("mo-over");
    });
  });
  drop.addEventListener("dragleave", function () { drop.classList.remove("mo-over"); });
  drop.addEventListener("drop", function (event) {
    event.preventDefault();
    drop.classList.remove("mo-over");
    var item = event.dataTransfer.items && event.dataTransfer.items[0];
    var entry = item && item.webkitGetAsEntry && item.webkitGetAsEntry();
    if (entry && entry.isDirectory) {
      $("create-error").textContent = "That is a folder: zip it first (right-click, " +
        "compress), then drop the .zip.";
      return;
    }
    input.files = event.dataTransfer.files;
    showFile();
  });

  // ---- the upload ----

  function refuse(message) {
    $("create-error").textContent = message;
    $("create-submit").disabled = false;
    $("upload").hidden = true;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    $("create-error").textContent = "";
    var file = input.files[0];
    if (!$("name").value.trim()) return refuse("Give your persona a name.");
    if (!file) return refuse("Choose your chat export first.");
    if (file.size > maxBytes) {
      return refuse("This file is " + mb(file.size) + "; the limit is " + mb(maxBytes) + ".");
    }
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-CSRF-Token", csrf);
    request.responseType = "json";
    request.upload.addEventListener("progress", function (progress) {
      if (!progress.lengthComputable) return;
      var percent = Math.round(100 * progress.loaded / progress.total);
      $("upload-progress").value = percent;
      $("upload-text").textContent = percent + "% of " + mb(progress.total);
    });
    request.addEventListener("load", function () {
      var answer = request.response || {};
      if (request.status !== 202) {
        return refuse(answer.error || "The upload failed (" + request.status + ").");
      }
      $("upload-done").textContent = "Uploaded " + file.name + " (" + mb(file.size) + ").";
      $("token-value").textContent = answer.manage_token;
      $("token").hidden = false;
      watch(answer.persona);
    });
    request.addEventListener("error", function () {
      refuse("The upload was cut off. Check your connection and try again.");
    });
    $("create-submit").disabled = true;
    $("upload").hidden = false;
    request.send(new FormData(form));
  });

  // ---- following the build ----

  function watch(persona) {
    name = persona;
    $("create").hidden = true;
    $("build").hidden = false;
    $("build-name").textContent = persona;
    poll();
  }

  function poll() {
    var url = body.dataset.personasUrl + encodeURIComponent(name) + "/build";
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error(data.error || "status " + response.status);
          return data;
        });
      })
      .then(function (data) {
        if (show(data)) setTimeout(poll, POLL_MS);
      })
      .catch(function (error) {
        $("build-error").textContent = "Lost touch with the build (" + error.message +
          "); trying again…";
        setTimeout(poll, 3 * POLL_MS);
      });
  }

  // Draw the build; whether it is still going.
  function show(data) {
    var job = data.job;
    if (!job) return false;
    $("build-error").textContent = "";
    var details = job.details || {};
    var at = STAGES.indexOf(job.stage);
    if (job.state === "succeeded") at = STAGES.length - 1;
    if (job.state === "failed") at = details.training ? 4 : details.corpus ? 2 : 1;
    var steps = [["step-reading", 1], ["step-corpus", 2], ["step-training", 4],
      ["step-checking", 5], ["step-ready", 7]];
    steps.forEach(function (step, index) {
      var next = index + 1 < steps.length ? steps[index + 1][1] : STAGES.length;
      var state = at >= next || job.state === "succeeded" ? "done"
        : at >= step[1] ? "active" : "waiting";
      if (job.state === "failed" && state === "active") state = "failed";
      setState(step[0], state);
    });
    showReading(details["import"]);
    showCorpus(details.corpus, job.stage === "confirm owner");
    showTraining(job, details.training);
    if (job.state === "succeeded") return ready();
    if (job.state === "failed") {
      $("build-error").textContent = "The build failed: " + job.error;
      return false;
    }
    return true;
  }

  function showReading(found) {
    if (!found) return;
    $("reading-text").textContent = "Read " + found.messages + " messages in " +
      found.threads + " conversations" + (found.format ? " (" + found.format + ")" : "") + ".";
    var list = $("skipped");
    list.textContent = "";
    Object.keys(found.skipped || {}).sort().forEach(function (reason) {
      var item = document.createElement("li");
      item.textContent = "Skipped " + found.skipped[reason] + " " + reason;
      list.append(item);
    });
  }

  function showCorpus(corpus, asking) {
    if (!corpus) return;
    var text = "";
    if (corpus.persona) {
      text = "Learning the replies of " + corpus.persona + ": " + corpus.pairs +
        " replies to others (" + corpus.pairs_held_out + " kept aside to test it).";
    }
    if (corpus.problem) text = corpus.problem + " Pick another sender.";
    $("corpus-text").textContent = text;
    var ownerForm = $("owner-form");
    ownerForm.hidden = !asking || pickedOwner;
    if (!asking || pickedOwner) return;
    var choices = $("owner-choices");
    if (!choices.childElementCount) {
      (corpus.candidates || []).forEach(function (candidate) {
        var label = document.createElement("label");
        label.className = "mo-check";
        var radio = document.createElement("input");
        radio.type = "radio";
        radio.name = "sender";
        radio.value = candidate.sender;
        radio.checked = candidate.sender === corpus.guessed;
        label.append(radio, " " + candidate.sender + " — " + candidate.messages +
          " messages in " + candidate.threads + " conversations");
        choices.append(label);
      });
    }
    if (corpus.confirm_by) {
      var when = new Date(corpus.confirm_by);
      $("owner-deadline").textContent = corpus.guessed
        ? "If you do nothing, it trains on " + corpus.guessed + "'s replies at " +
          when.toLocaleTimeString() + "."
        : "Pick a sender before " + when.toLocaleTimeString() + ".";
    }
  }

  $("owner-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var chosen = $("owner-form").querySelector("input[name=sender]:checked");
    if (!chosen) return;
    var url = body.dataset.personasUrl + encodeURIComponent(name) + "/owner";
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ sender: chosen.value }),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error);
        pickedOwner = true;
        $("owner-form").hidden = true;
        $("corpus-text").textContent = "Training on " + data.sender + "'s replies.";
      });
    }).catch(function (error) { $("build-error").textContent = error.message; });
  });

  function showTraining(job, training) {
    var share = Math.min(1, Math.max(0, (job.progress - 0.1) / 0.85));
    if (job.stage === "training" || training) {
      $("train-progress").value = Math.round(100 * (job.state === "succeeded" ? 1 : share));
    }
    if (!training) return;
    var left = training.eta_s !== null && job.stage === "training"
      ? "about " + clock(training.eta_s) + " left · " : "";
    $("train-text").textContent = left + "step " + training.step + ", " +
      training.train_bpc.toFixed(2) + " bits/char";
    window.MimicalLossChart.draw($("loss-chart"), training.losses);
  }

  function ready() {
    var text = $("ready-text");
    text.textContent = "";
    var chat = document.createElement("a");
    chat.href = body.dataset.chatUrl + "?persona=" + encodeURIComponent(name);
    chat.className = "mo-button";
    chat.textContent = "Chat with " + name;
    var manage = document.createElement("a");
    manage.href = body.dataset.personasUrl + encodeURIComponent(name) + "/manage";
    manage.className = "mo-button mo-quiet";
    manage.textContent = "See how it sounds and manage it";
    text.append(chat, " ", manage);
    return false;
  }

  window.MimicalLossChart.draw($("loss-chart"), []);
  if (name) watch(name);
})();
