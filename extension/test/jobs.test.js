import assert from "node:assert/strict";
import { test } from "node:test";

import { badgeFor, describeJob, watchJob } from "../lib/jobs.js";

const job = (state, extra = {}) => ({ id: 3, persona: "Robin", state, progress: 0.42, stage: "training", error: null, ...extra });

test("describes each state as a person reads it", () => {
  assert.deepEqual(describeJob(job("queued")), { text: "Building Robin: waiting for a worker (42%)", percent: 42, done: false, ok: false });
  assert.equal(describeJob(job("running")).text, "Building Robin: training (42%)");
  assert.deepEqual(describeJob(job("succeeded")), { text: "Robin is ready. Chat with it on any channel.", percent: 100, done: true, ok: true });
  const failed = describeJob(job("failed", { error: "the session cookies are not logged in" }));
  assert.equal(failed.text, "Robin could not be built: the session cookies are not logged in");
  assert.equal(failed.ok, false);
});

test("watchJob polls until the job ends and reports every answer", async () => {
  const answers = [job("queued"), job("running"), job("succeeded")];
  const seen = [];
  const slept = [];
  const final = await watchJob(async (id) => ({ ...answers.shift(), id }), 3, {
    sleep: async (ms) => slept.push(ms),
    intervalMs: 250,
    onUpdate: (j, view) => seen.push([j.state, view.done]),
  });
  assert.equal(final.state, "succeeded");
  assert.deepEqual(seen, [["queued", false], ["running", false], ["succeeded", true]]);
  assert.deepEqual(slept, [250, 250]);
});

test("watchJob gives up after maxPolls", async () => {
  await assert.rejects(
    watchJob(async () => job("running"), 3, { sleep: async () => {}, maxPolls: 3 }),
    /did not finish after 3 polls/,
  );
});

test("the badge shows building, ready and failed", () => {
  assert.equal(badgeFor(job("running")).text, "…");
  assert.equal(badgeFor(job("succeeded")).text, "✓");
  assert.equal(badgeFor(job("failed")).text, "!");
});
