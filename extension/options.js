// The options page: choose the backend; ask for its host permission if needed.

import * as browser from "./lib/chrome.js";
import { loadSettings, originPattern, saveSettings, normalizeBackendUrl } from "./lib/settings.js";

const $ = (id) => document.getElementById(id);

async function main() {
  const settings = await loadSettings(browser.localStorage());
  $("backend-url").value = settings.backendUrl;
  $("form").addEventListener("submit", onSave);
  document.body.dataset.ready = "true";
}

async function onSave(event) {
  event.preventDefault();
  const status = $("saved");
  try {
    const url = normalizeBackendUrl($("backend-url").value);
    const pattern = originPattern(url);
    // Asked here, in the click, because Chrome only prompts during a user gesture.
    if (!(await browser.hasOrigin(pattern)) && !(await browser.requestOrigin(pattern))) {
      throw new Error(`Permission to reach ${pattern} was refused`);
    }
    const saved = await saveSettings(browser.localStorage(), { backendUrl: url });
    $("backend-url").value = saved.backendUrl;
    status.className = "";
    status.textContent = `Saved: ${saved.backendUrl}`;
  } catch (error) {
    status.className = "error";
    status.textContent = error.message;
  }
}

main();
