import assert from "node:assert/strict";
import { test } from "node:test";

import { collectThreads, isMessengerUrl, threadIdFromHref } from "../lib/threads.js";

const hrefs = [
  ["https://www.messenger.com/t/100001/", "100001"],
  ["https://mbasic.facebook.com/messages/read/?tid=cid.c.1%3A2&refid=11", "cid.c.1:2"],
  ["https://www.facebook.com/messages/t/42", "42"],
  ["https://www.messenger.com/profile.php?id=3", null],
  ["not a url at all", null],
];
for (const [href, id] of hrefs) {
  test(`thread id of ${href}`, () => assert.equal(threadIdFromHref(href), id));
}

test("only messenger.com and facebook.com pages are Messenger pages", () => {
  assert.ok(isMessengerUrl("https://www.messenger.com/t/1"));
  assert.ok(isMessengerUrl("https://mbasic.facebook.com/messages/"));
  assert.ok(!isMessengerUrl("https://messenger.com.evil.example/t/1"));
  assert.ok(!isMessengerUrl("chrome-extension://abc/popup.html"));
});

test("collects each linked conversation once, in page order, with its title", () => {
  const page = {
    url: "https://www.messenger.com/messages/",
    links: [
      { href: "https://www.messenger.com/messages/read/?tid=100001&refid=11", text: "\n Ada  Quill " },
      { href: "https://www.messenger.com/profile.php?id=9", text: "Me" },
      { href: "https://evil.example/t/666", text: "Phish" },
      { href: "https://www.messenger.com/t/100008", text: "" },
      { href: "https://www.messenger.com/t/100008", text: "Bram Stone" },
      { href: "https://www.messenger.com/t/100001", text: "Ada again" },
    ],
  };
  assert.deepEqual(collectThreads(page), [
    { id: "100001", title: "Ada Quill", current: false },
    { id: "100008", title: "Bram Stone", current: false },
  ]);
});

test("the open conversation is included and marked current", () => {
  const page = { url: "https://www.messenger.com/t/777", links: [] };
  assert.deepEqual(collectThreads(page), [{ id: "777", title: "777", current: true }]);
});
