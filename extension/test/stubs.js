// Stand-ins for chrome.* areas, which cannot run under Node: a storage area with
// chrome.storage's promise API, backed by a Map.

export function memoryStorage(initial = {}) {
  const data = new Map(Object.entries(structuredClone(initial)));
  return {
    data,
    async get(keys) {
      const wanted = keys === undefined ? [...data.keys()] : [keys].flat();
      return Object.fromEntries(wanted.filter((k) => data.has(k)).map((k) => [k, structuredClone(data.get(k))]));
    },
    async set(items) {
      for (const [key, value] of Object.entries(items)) data.set(key, structuredClone(value));
    },
    async remove(keys) {
      for (const key of [keys].flat()) data.delete(key);
    },
  };
}
