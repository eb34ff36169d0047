// The service worker's job watch: keeps the badge current after the popup closes.
// MV3 unloads an idle worker, so the job to watch lives in chrome.storage.session
// (memory only) and an alarm wakes the worker; everything chrome.* is passed in.

import { FINISHED, badgeFor } from "./jobs.js";

export const PENDING_KEY = "pendingJob";

// Remember {backend, jobId, persona, token} as the job to follow.
export async function rememberJob(storage, pending) {
  await storage.set({ [PENDING_KEY]: { ...pending, state: "queued" } });
}

export async function pendingJob(storage) {
  return (await storage.get(PENDING_KEY))[PENDING_KEY] || null;
}

// One look at the pending job: update the badge, stop the alarm once it ended.
export async function checkPendingJob({ storage, fetchJob, setBadge, stopAlarm }) {
  const pending = await pendingJob(storage);
  if (!pending || FINISHED.includes(pending.state)) {
    await stopAlarm();
    return null;
  }
  let job;
  try {
    job = await fetchJob(pending.backend, pending.jobId, pending.token);
  } catch {
    await setBadge({ text: "?", color: "#9a6700" });
    return null;
  }
  await setBadge(badgeFor(job));
  await storage.set({ [PENDING_KEY]: { ...pending, state: job.state } });
  if (FINISHED.includes(job.state)) await stopAlarm();
  return job;
}
