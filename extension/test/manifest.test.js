// The manifest asks only for what it needs, and the README says why for each.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const manifest = JSON.parse(readFileSync(new URL("../manifest.json", import.meta.url)));
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

test("it is a Manifest V3 extension with a module service worker", () => {
  assert.equal(manifest.manifest_version, 3);
  assert.equal(manifest.background.type, "module");
});

test("every permission and host pattern has its reason in the README", () => {
  const asked = [...manifest.permissions, ...manifest.host_permissions, ...manifest.optional_host_permissions];
  for (const permission of asked) {
    assert.ok(readme.includes(`| \`${permission}\` |`), `README explains ${permission}`);
  }
});

test("the Messenger host patterns are wide enough to see domain cookies", () => {
  assert.ok(manifest.host_permissions.includes("*://*.messenger.com/*"));
  assert.ok(manifest.host_permissions.includes("*://*.facebook.com/*"));
});

test("no remote code and no tabs permission", () => {
  assert.ok(!manifest.permissions.includes("tabs"));
  assert.equal(manifest.content_security_policy, undefined);
});
