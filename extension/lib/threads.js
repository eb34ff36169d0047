// Conversation ids from the links of an open Messenger page. Pure: the page is
// handed in as {url, links: [{href, text}]} by the edge that reads the tab.

const MESSENGER_HOSTS = ["messenger.com", "facebook.com"];

export function isMessengerUrl(text) {
  try {
    const url = new URL(text);
    return (
      (url.protocol === "https:" || url.protocol === "http:") &&
      MESSENGER_HOSTS.some((h) => url.hostname === h || url.hostname.endsWith(`.${h}`))
    );
  } catch {
    return false;
  }
}

// The thread a link opens: ?tid=ID (basic HTML) or /t/ID (messenger.com), else null.
export function threadIdFromHref(href) {
  let url;
  try {
    url = new URL(href, "https://www.messenger.com/");
  } catch {
    return null;
  }
  const tid = url.searchParams.get("tid");
  if (tid) return tid;
  const parts = url.pathname.split("/").filter(Boolean);
  if (parts.length >= 2 && parts[parts.length - 2] === "t") return parts[parts.length - 1];
  return null;
}

// The conversations a page links to, in page order, each once, with a title.
export function collectThreads(page) {
  const found = new Map();
  for (const { href, text } of page.links || []) {
    if (!isMessengerUrl(href)) continue;
    const id = threadIdFromHref(href);
    if (!id || !/^[\w.:-]{1,100}$/.test(id)) continue;
    const title = (text || "").replace(/\s+/g, " ").trim();
    if (!found.has(id)) found.set(id, { id, title });
    else if (!found.get(id).title && title) found.get(id).title = title;
  }
  const current = isMessengerUrl(page.url) ? threadIdFromHref(page.url) : null;
  if (current && !found.has(current)) found.set(current, { id: current, title: "" });
  return [...found.values()].map((t) => ({ ...t, title: t.title || t.id, current: t.id === current }));
}
