// The backend's persona API. Pure: `fetch` (and FormData for uploads) are passed
// in, so the same calls run in the popup and under node --test.

export class ApiError extends Error {
  constructor(message, status = 0, code = "") {
    super(message);
    this.status = status;
    this.code = code;
  }
}

import { isSafeBackend } from "./settings.js";

// POST /api/personas with the Messenger session and the chosen conversations.
// The session cookies log into someone's account: never over plain http to
// another machine, whatever the settings say.
export function createFromMessenger(fetch, backend, { name, password, isPublic, cookies, threadIds }) {
  if (!isSafeBackend(backend)) {
    return Promise.reject(
      new ApiError(`Refusing to send your Messenger session to ${backend}: use an https:// backend`),
    );
  }
  const body = {
    name,
    public: Boolean(isPublic),
    source: { type: "messenger", cookies, thread_ids: threadIds },
  };
  if (password) body.password = password;
  return call(fetch, backend, "/api/personas", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

// POST /api/personas as multipart with the export file under `export`.
export function createFromExport(fetch, FormData, backend, { name, password, isPublic, file }) {
  const form = new FormData();
  form.append("name", name);
  form.append("public", isPublic ? "true" : "false");
  if (password) form.append("password", password);
  form.append("export", file, file.name);
  return call(fetch, backend, "/api/personas", { method: "POST", body: form });
}

// GET /api/jobs/ID: {id, persona, state, progress, stage, error}. A private
// persona's job is shown only with its manage token.
export async function getJob(fetch, backend, jobId, token = "") {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const body = await call(fetch, backend, `/api/jobs/${encodeURIComponent(jobId)}`, { headers });
  return body.job;
}

async function call(fetch, backend, path, init) {
  let response;
  try {
    response = await fetch(backend + path, { ...init, credentials: "omit", cache: "no-store" });
  } catch {
    throw new ApiError(`Cannot reach the backend at ${backend}. Is "mimical serve" running?`);
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const message = (body && body.error) || `The backend answered HTTP ${response.status}`;
    throw new ApiError(message, response.status, (body && body.code) || "");
  }
  if (body === null) throw new ApiError("The backend's answer is not JSON", response.status);
  return body;
}
