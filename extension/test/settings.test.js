import assert from "node:assert/strict";
import { test } from "node:test";

import {
  DEFAULT_BACKEND,
  SettingsError,
  loadSettings,
  normalizeBackendUrl,
  originPattern,
  saveSettings,
} from "../lib/settings.js";
import { memoryStorage } from "./stubs.js";

const good = [
  ["http://127.0.0.1:5000", "http://127.0.0.1:5000"],
  ["  https://mimical.example.org/ ", "https://mimical.example.org"],
  ["https://example.org/mimical/", "https://example.org/mimical"],
  ["http://localhost:5000/", "http://localhost:5000"],
  ["http://[::1]:5000", "http://[::1]:5000"],
];
for (const [input, expected] of good) {
  test(`normalizes ${JSON.stringify(input)}`, () => {
    assert.equal(normalizeBackendUrl(input), expected);
  });
}

const bad = [
  "",
  "127.0.0.1:5000",
  "ftp://example.org",
  "https://u:p@example.org",
  "http://x.org/?a=1",
  // Plain http to another machine: cookies and tokens would cross the network in clear.
  "http://mimical.example.org",
  "http://192.168.1.20:5000",
];
for (const input of bad) {
  test(`refuses ${JSON.stringify(input)}`, () => {
    assert.throws(() => normalizeBackendUrl(input), SettingsError);
  });
}

test("the permission pattern covers every port of the backend host", () => {
  assert.equal(originPattern("http://127.0.0.1:5123"), "http://127.0.0.1/*");
  assert.equal(originPattern("https://example.org/mimical"), "https://example.org/*");
});

test("settings default to the local backend and survive a save", async () => {
  const storage = memoryStorage();
  assert.deepEqual(await loadSettings(storage), { backendUrl: DEFAULT_BACKEND });
  await saveSettings(storage, { backendUrl: "https://example.org/" });
  assert.deepEqual(await loadSettings(storage), { backendUrl: "https://example.org" });
});

test("a bad URL is not saved", async () => {
  const storage = memoryStorage();
  await assert.rejects(saveSettings(storage, { backendUrl: "nope" }), SettingsError);
  assert.equal(storage.data.size, 0);
});
