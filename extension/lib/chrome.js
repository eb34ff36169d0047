// The one module that touches chrome.* for the popup and options page: tabs,
// scripting, cookies, permissions and messages. Everything else takes plain values.

import { isMessengerUrl } from "./threads.js";

const MESSENGER_TABS = ["*://*.messenger.com/*", "*://*.facebook.com/*"];

export const localStorage = () => chrome.storage.local;
export const sessionStorage = () => chrome.storage.session; // memory only, never on disk

// The Messenger tab to read: the active one, else the one used most recently.
export async function findMessengerTab() {
  const [active] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
  if (active && isMessengerUrl(active.url)) return active;
  const tabs = await chrome.tabs.query({ url: MESSENGER_TABS });
  tabs.sort((a, b) => (b.lastAccessed || 0) - (a.lastAccessed || 0));
  return tabs[0] || null;
}

// The page's URL and links, read inside the tab (needs its host permission).
export async function readTabLinks(tabId) {
  const [result] = await chrome.scripting.executeScript({
    target: { tabId },
    func: () => ({
      url: location.href,
      links: Array.from(document.querySelectorAll("a[href]"), (a) => ({
        href: a.href,
        text: a.textContent,
      })),
    }),
  });
  return result.result;
}

// Every cookie the browser would send to `url`, domain cookies included.
export function readCookies(url) {
  return chrome.cookies.getAll({ url });
}

export function hasOrigin(pattern) {
  return chrome.permissions.contains({ origins: [pattern] });
}

// Must run inside a click handler: Chrome asks the user.
export function requestOrigin(pattern) {
  return chrome.permissions.request({ origins: [pattern] });
}

export function tellWorker(message) {
  return chrome.runtime.sendMessage(message).catch(() => undefined);
}

export function openOptions() {
  return chrome.runtime.openOptionsPage();
}
