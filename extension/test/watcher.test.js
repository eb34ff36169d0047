import assert from "node:assert/strict";
import { test } from "node:test";

import { PENDING_KEY, checkPendingJob, pendingJob, rememberJob } from "../lib/watcher.js";
import { memoryStorage } from "./stubs.js";

function world(states) {
  const storage = memoryStorage();
  const badges = [];
  let stopped = 0;
  return {
    storage,
    badges,
    stopped: () => stopped,
    deps: {
      storage,
      fetchJob: async (backend, jobId) => {
        const state = states.shift();
        if (state instanceof Error) throw state;
        return { id: jobId, persona: "Robin", state, backend };
      },
      setBadge: async (badge) => badges.push(badge.text),
      stopAlarm: async () => {
        stopped += 1;
      },
    },
  };
}

test("the badge follows the remembered job and the alarm stops when it ends", async () => {
  const w = world(["running", "succeeded"]);
  await rememberJob(w.storage, { backend: "http://127.0.0.1:5000", jobId: 7, persona: "Robin" });
  assert.equal((await checkPendingJob(w.deps)).state, "running");
  assert.equal(w.stopped(), 0);
  assert.equal((await checkPendingJob(w.deps)).state, "succeeded");
  assert.deepEqual(w.badges, ["…", "✓"]);
  assert.equal(w.stopped(), 1);
  assert.equal((await pendingJob(w.storage)).state, "succeeded");
  assert.equal(await checkPendingJob(w.deps), null); // nothing left to follow
});

test("an unreachable backend shows ? and keeps the job", async () => {
  const w = world([new Error("offline")]);
  await rememberJob(w.storage, { backend: "http://127.0.0.1:5000", jobId: 7, persona: "Robin" });
  assert.equal(await checkPendingJob(w.deps), null);
  assert.deepEqual(w.badges, ["?"]);
  assert.equal(w.storage.data.get(PENDING_KEY).state, "queued");
});
