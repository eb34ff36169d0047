// Following a persona-building job until it ends. Pure: `getJob(id)` and `sleep`
// are passed in; the popup and the service worker both use it.

export const FINISHED = ["succeeded", "failed"];

// What to show for a job: a line of text, a percentage, and whether it ended.
export function describeJob(job) {
  const percent = Math.round(Math.max(0, Math.min(1, Number(job.progress) || 0)) * 100);
  if (job.state === "succeeded") {
    return { text: `${job.persona} is ready. Chat with it on any channel.`, percent: 100, done: true, ok: true };
  }
  if (job.state === "failed") {
    return { text: `${job.persona} could not be built: ${job.error || "unknown error"}`, percent, done: true, ok: false };
  }
  const stage = job.state === "queued" ? "waiting for a worker" : job.stage || job.state;
  return { text: `Building ${job.persona}: ${stage} (${percent}%)`, percent, done: false, ok: false };
}

// Poll until the job succeeds or fails; `onUpdate` sees every answer.
export async function watchJob(getJob, jobId, { onUpdate = () => {}, sleep, intervalMs = 1000, maxPolls = 100000 }) {
  for (let poll = 0; poll < maxPolls; poll += 1) {
    const job = await getJob(jobId);
    onUpdate(job, describeJob(job));
    if (FINISHED.includes(job.state)) return job;
    await sleep(intervalMs);
  }
  throw new Error(`job ${jobId} did not finish after ${maxPolls} polls`);
}

// The badge text for a job: "…" building, "✓" ready, "!" failed.
export function badgeFor(job) {
  if (job.state === "succeeded") return { text: "✓", color: "#1a7f37" };
  if (job.state === "failed") return { text: "!", color: "#cf222e" };
  return { text: "…", color: "#57606a" };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
