// The popup's DOM glue: reads the form, calls the pure modules, shows progress.
// chrome.* is reached only through lib/chrome.js.

import { createFromExport, createFromMessenger, getJob } from "./lib/api.js";
import * as browser from "./lib/chrome.js";
import { sessionCookies } from "./lib/cookies.js";
import { readForm } from "./lib/form.js";
import { sleep, watchJob } from "./lib/jobs.js";
import { loadSettings } from "./lib/settings.js";
import { collectThreads } from "./lib/threads.js";
import { pendingJob, rememberJob } from "./lib/watcher.js";

const $ = (id) => document.getElementById(id);
let messengerTab = null;
let settings = null;

async function main() {
  settings = await loadSettings(browser.localStorage());
  $("backend").textContent = settings.backendUrl;
  $("open-options").addEventListener("click", (event) => {
    event.preventDefault();
    browser.openOptions();
  });
  for (const radio of document.querySelectorAll('input[name="source"]')) {
    radio.addEventListener("change", showSource);
  }
  $("reload-threads").addEventListener("click", loadThreads);
  $("form").addEventListener("submit", onSubmit);
  await loadThreads();
  document.body.dataset.ready = "true"; // lets tests know the popup finished loading
  const pending = await pendingJob(browser.sessionStorage());
  if (pending) await follow(pending).catch((error) => showError(error.message));
}

function selectedSource() {
  return document.querySelector('input[name="source"]:checked').value;
}

function showSource() {
  const source = selectedSource();
  $("messenger-panel").hidden = source !== "messenger";
  $("export-panel").hidden = source !== "export";
}

async function loadThreads() {
  const list = $("threads");
  list.replaceChildren();
  try {
    messengerTab = await browser.findMessengerTab();
    if (!messengerTab) {
      $("tab-status").textContent =
        "No Messenger tab is open. Open www.messenger.com and log in, then look again.";
      return;
    }
    const threads = collectThreads(await browser.readTabLinks(messengerTab.id));
    for (const thread of threads) {
      const box = Object.assign(document.createElement("input"), {
        type: "checkbox",
        name: "thread",
        value: thread.id,
        checked: thread.current,
      });
      const label = document.createElement("label");
      label.className = "inline";
      label.append(box, ` ${thread.title}`);
      const item = document.createElement("li");
      item.append(label);
      list.append(item);
    }
    const host = new URL(messengerTab.url).hostname;
    $("tab-status").textContent = threads.length
      ? `${threads.length} conversations on ${host}. Tick the ones to learn from.`
      : `No conversations are listed on ${host}. Open your chat list there.`;
  } catch (error) {
    $("tab-status").textContent = `Cannot read the Messenger tab: ${error.message}`;
  }
}

async function onSubmit(event) {
  event.preventDefault();
  $("error").hidden = true;
  $("create").disabled = true;
  $("result").hidden = true; // a new persona: forget the last one's status
  $("status").textContent = "";
  $("status").className = "";
  $("token-box").hidden = true;
  try {
    const source = selectedSource();
    const request = readForm({
      name: $("name").value,
      password: $("password").value,
      isPublic: $("public").checked,
      source,
      threadIds: [...document.querySelectorAll('input[name="thread"]:checked')].map((b) => b.value),
      file: $("export").files[0],
    });
    let answer;
    if (source === "messenger") {
      if (!messengerTab) throw new Error("Open your Messenger tab first.");
      const cookies = sessionCookies(await browser.readCookies(messengerTab.url));
      answer = await createFromMessenger(fetch, settings.backendUrl, { ...request, cookies });
    } else {
      answer = await createFromExport(fetch, FormData, settings.backendUrl, request);
    }
    $("manage-token").textContent = answer.manage_token;
    $("token-box").hidden = false;
    const pending = {
      backend: settings.backendUrl,
      jobId: answer.job.id,
      persona: answer.persona.name,
      token: answer.manage_token, // session storage: memory only, gone with the browser
    };
    await rememberJob(browser.sessionStorage(), pending);
    browser.tellWorker({ type: "watch-job" });
    await follow(pending);
  } catch (error) {
    showError(error.message);
  } finally {
    $("create").disabled = false;
  }
}

async function follow(pending) {
  $("result").hidden = false;
  await watchJob((jobId) => getJob(fetch, pending.backend, jobId, pending.token), pending.jobId, {
    sleep,
    intervalMs: 1000,
    onUpdate: (job, view) => {
      $("status").textContent = view.text;
      $("status").className = view.done ? (view.ok ? "ready" : "error") : "";
      $("progress").value = view.percent;
      document.body.dataset.jobState = job.state;
    },
  });
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = false;
}

main().catch((error) => showError(error.message));
