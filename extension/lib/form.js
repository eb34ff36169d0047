// Checking the popup's form before anything leaves the browser. Pure.

export class FormError extends Error {}

// The request to send, or a FormError saying what to fix.
export function readForm({ name, password, isPublic, source, threadIds, file }) {
  const trimmed = String(name || "").trim();
  if (!trimmed) throw new FormError("Give the persona a name.");
  if (trimmed.length > 64) throw new FormError("A name is at most 64 characters.");
  const request = { name: trimmed, password: password || "", isPublic: Boolean(isPublic), source };
  if (source === "messenger") {
    if (!threadIds || threadIds.length === 0) {
      throw new FormError("Tick at least one conversation to learn from.");
    }
    return { ...request, threadIds: [...threadIds] };
  }
  if (source === "export") {
    if (!file) throw new FormError("Choose your export file (.zip) first.");
    return { ...request, file };
  }
  throw new FormError("Choose where the messages come from.");
}
