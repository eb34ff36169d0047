// The extension's settings: which backend to talk to. Pure: storage is passed in
// (anything with chrome.storage's promise-returning get/set).

export const DEFAULT_BACKEND = "http://127.0.0.1:5000";
const KEY = "settings";

export class SettingsError extends Error {}

// A backend URL as we store it: http(s), no credentials, query or trailing slash.
export function normalizeBackendUrl(text) {
  let url;
  try {
    url = new URL(String(text).trim());
  } catch {
    throw new SettingsError(`"${text}" is not a URL (try ${DEFAULT_BACKEND})`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SettingsError("The backend URL must start with http:// or https://");
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new SettingsError("The backend URL must not hold a user, query or #part");
  }
  if (!isSafeBackend(url.href)) {
    throw new SettingsError(
      "A backend on another machine must use https:// (plain http:// is only for this machine)",
    );
  }
  return (url.origin + url.pathname).replace(/\/+$/, "");
}

const LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"];

// Whether secrets (Messenger cookies, manage tokens) may go to this backend: over
// https, or over plain http to this machine only, where nobody else can listen.
export function isSafeBackend(text) {
  let url;
  try {
    url = new URL(String(text));
  } catch {
    return false;
  }
  if (url.protocol === "https:") return true;
  const host = url.hostname.toLowerCase();
  return url.protocol === "http:" && (LOCAL_HOSTS.includes(host) || host.endsWith(".localhost"));
}

// The host permission pattern that lets the extension call this backend.
export function originPattern(backendUrl) {
  const url = new URL(backendUrl);
  return `${url.protocol}//${url.hostname}/*`;
}

export async function loadSettings(storage) {
  const stored = (await storage.get(KEY))[KEY] || {};
  return { backendUrl: stored.backendUrl || DEFAULT_BACKEND };
}

export async function saveSettings(storage, { backendUrl }) {
  const settings = { backendUrl: normalizeBackendUrl(backendUrl) };
  await storage.set({ [KEY]: settings });
  return settings;
}
