// The service worker only routes events to pure modules: install -> default
// settings, "watch-job" messages from the popup and alarms -> the job watch (lib/watcher.js).
// It keeps no state in variables: Chrome unloads it when idle.

import { getJob } from "./lib/api.js";
import { loadSettings, saveSettings } from "./lib/settings.js";
import { checkPendingJob } from "./lib/watcher.js";

const ALARM = "watch-job";

chrome.runtime.onInstalled.addListener(async () => {
  await saveSettings(chrome.storage.local, await loadSettings(chrome.storage.local));
});

chrome.runtime.onMessage.addListener((message, _sender, reply) => {
  if (message?.type !== "watch-job") return false;
  // The popup has put the job in chrome.storage.session; wake up to follow it.
  chrome.alarms
    .create(ALARM, { periodInMinutes: 0.5 })
    .then(check)
    .then(() => reply({ ok: true }), (error) => reply({ ok: false, error: String(error) }));
  return true; // the reply comes asynchronously
});

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === ALARM) check();
});

function check() {
  return checkPendingJob({
    storage: chrome.storage.session,
    fetchJob: (backend, jobId, token) => getJob(fetch, backend, jobId, token),
    setBadge: ({ text, color }) =>
      Promise.all([
        chrome.action.setBadgeText({ text }),
        chrome.action.setBadgeBackgroundColor({ color }),
      ]),
    stopAlarm: () => chrome.alarms.clear(ALARM),
  });
}
