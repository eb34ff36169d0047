import assert from "node:assert/strict";
import { test } from "node:test";

import { NotLoggedInError, sessionCookies } from "../lib/cookies.js";

const jar = [
  { name: "c_user", value: "100004242", domain: ".messenger.com" },
  { name: "xs", value: "secret", domain: ".messenger.com" },
  { name: "datr", value: "d", domain: ".messenger.com" },
  { name: "presence", value: "tracking", domain: ".messenger.com" },
  { name: "wd", value: "1280x720", domain: "www.messenger.com" },
];

test("only the session cookies are picked", () => {
  assert.deepEqual(sessionCookies(jar), { c_user: "100004242", xs: "secret", datr: "d" });
});

test("without c_user and xs the tab is not logged in", () => {
  assert.throws(
    () => sessionCookies(jar.filter((c) => c.name !== "xs")),
    (error) => error instanceof NotLoggedInError && /no xs cookie/.test(error.message),
  );
  assert.throws(() => sessionCookies([]), /no c_user, xs cookie/);
});
