import assert from "node:assert/strict";
import { test } from "node:test";

import { FormError, readForm } from "../lib/form.js";

const base = { name: "  Robin ", password: "", isPublic: true };

test("a Messenger request carries the ticked threads and a trimmed name", () => {
  const request = readForm({ ...base, source: "messenger", threadIds: ["1", "2"] });
  assert.deepEqual(request, { name: "Robin", password: "", isPublic: true, source: "messenger", threadIds: ["1", "2"] });
});

test("an export request carries the file", () => {
  const file = { name: "export.zip" };
  assert.equal(readForm({ ...base, source: "export", file }).file, file);
});

const refusals = [
  [{ ...base, name: " ", source: "export", file: {} }, /name/],
  [{ ...base, name: "x".repeat(65), source: "export", file: {} }, /64/],
  [{ ...base, source: "messenger", threadIds: [] }, /at least one conversation/],
  [{ ...base, source: "export" }, /export file/],
  [{ ...base, source: "carrier pigeon" }, /where the messages come from/],
];
for (const [form, message] of refusals) {
  test(`refuses: ${message}`, () => {
    assert.throws(() => readForm(form), (e) => e instanceof FormError && message.test(e.message));
  });
}
