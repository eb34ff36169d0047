// The API calls against a real HTTP server on 127.0.0.1 that answers like
// serving/api (202 + persona + job + manage_token; JSON errors), using Node's fetch.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";

import { ApiError, createFromExport, createFromMessenger, getJob } from "../lib/api.js";

let server;
let backend;
const received = [];

before(async () => {
  server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (c) => chunks.push(c));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("latin1");
      received.push({ method: request.method, url: request.url, type: request.headers["content-type"], body });
      const reply = (status, json) => {
        response.writeHead(status, { "Content-Type": "application/json" });
        response.end(JSON.stringify(json));
      };
      if (request.url === "/api/personas" && body.includes("Taken")) {
        return reply(409, { error: "a persona called 'Taken' already exists", code: "persona_exists" });
      }
      if (request.url === "/api/personas") {
        const job = { id: 5, persona: "Robin", state: "queued", progress: 0, stage: "queued", error: null };
        return reply(202, { persona: { name: "Robin", status: "pending" }, job, manage_token: "tok" });
      }
      if (request.url === "/api/jobs/5") {
        return reply(200, { job: { id: 5, persona: "Robin", state: "running", progress: 0.5, stage: "training" } });
      }
      response.writeHead(500, { "Content-Type": "text/html" });
      response.end("<h1>oops</h1>");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  backend = `http://127.0.0.1:${server.address().port}`;
});

after(() => server.close());

test("a Messenger request posts JSON with the cookies and thread ids", async () => {
  const answer = await createFromMessenger(fetch, backend, {
    name: "Robin",
    password: "pw",
    isPublic: true,
    cookies: { c_user: "1", xs: "s" },
    threadIds: ["100001", "100008"],
  });
  assert.equal(answer.job.id, 5);
  assert.equal(answer.manage_token, "tok");
  const sent = received.at(-1);
  assert.equal(sent.type, "application/json");
  assert.deepEqual(JSON.parse(sent.body), {
    name: "Robin",
    public: true,
    password: "pw",
    source: { type: "messenger", cookies: { c_user: "1", xs: "s" }, thread_ids: ["100001", "100008"] },
  });
});

test("an export request is multipart with the file under `export`", async () => {
  const file = new File(["PK fake zip"], "export.zip", { type: "application/zip" });
  await createFromExport(fetch, FormData, backend, { name: "Robin", password: "", isPublic: false, file });
  const sent = received.at(-1);
  assert.match(sent.type, /^multipart\/form-data; boundary=/);
  assert.match(sent.body, /name="export"; filename="export.zip"/);
  assert.match(sent.body, /name="public"\r\n\r\nfalse/);
  assert.doesNotMatch(sent.body, /name="password"/); // blank: no password at all
});

test("the API's JSON error becomes an ApiError with its message and status", async () => {
  await assert.rejects(
    createFromMessenger(fetch, backend, { name: "Taken", isPublic: true, cookies: {}, threadIds: ["1"] }),
    (error) => error instanceof ApiError && error.status === 409 && error.code === "persona_exists" && /already exists/.test(error.message),
  );
});

test("a non-JSON error answer still names the status", async () => {
  await assert.rejects(getJob(fetch, backend, 99), /HTTP 500/);
});

test("getJob returns the job object", async () => {
  assert.deepEqual(await getJob(fetch, backend, 5), { id: 5, persona: "Robin", state: "running", progress: 0.5, stage: "training" });
});

test("an unreachable backend says how to start it", async () => {
  await assert.rejects(getJob(fetch, "http://127.0.0.1:9", 5), /Cannot reach the backend at http:\/\/127.0.0.1:9/);
});

test("the Messenger session is never sent over plain http to another machine", async () => {
  let called = false;
  const spy = async () => {
    called = true;
    return new Response("{}");
  };
  const request = { name: "Robin", isPublic: true, cookies: { c_user: "1", xs: "2" }, threadIds: ["7"] };
  await assert.rejects(createFromMessenger(spy, "http://mimical.example.org", request), ApiError);
  assert.equal(called, false);
});

test("getJob sends the manage token when it has one", async () => {
  let seen = null;
  const spy = async (_url, init) => {
    seen = init.headers;
    return new Response(JSON.stringify({ job: { id: 5 } }), { status: 200 });
  };
  await getJob(spy, backend, 5, "tok");
  assert.deepEqual(seen, { Authorization: "Bearer tok" });
});
