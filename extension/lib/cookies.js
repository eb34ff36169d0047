// Which browser cookies make a Messenger session. Pure: the cookie list is handed
// in (chrome.cookies.getAll's shape: [{name, value, domain}]).

// c_user + xs are the login; the others make the session look like the browser's.
export const SESSION_COOKIES = ["c_user", "xs", "datr", "fr", "sb"];
const REQUIRED = ["c_user", "xs"];

export class NotLoggedInError extends Error {}

// {name: value} of the session cookies only; the rest never leave the browser.
export function sessionCookies(cookies) {
  const picked = {};
  for (const cookie of cookies) {
    if (SESSION_COOKIES.includes(cookie.name) && cookie.value && !(cookie.name in picked)) {
      picked[cookie.name] = cookie.value;
    }
  }
  const missing = REQUIRED.filter((name) => !(name in picked));
  if (missing.length) {
    throw new NotLoggedInError(
      `Not logged in to Messenger in that tab (no ${missing.join(", ")} cookie). ` +
        "Log in there first, or upload an export file.",
    );
  }
  return picked;
}
