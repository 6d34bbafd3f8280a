/**
 * Whether a JSON value written back from a stored document keeps its key order. It does
 * not in general: the index templates' final pipeline (`event.indexed`) makes OpenSearch
 * rebuild `_source` from a hash map, which writes an object's keys in its own order
 * (`{"zeta":1,"alpha":2}` comes back as `{"alpha":2,"zeta":1}` or any other order; seen on
 * OpenSearch 2.19, test/real-engine/drop-parsed-message.test.ts). So a message that is a
 * JSON object can be left out of its document only when no object in it has two keys or
 * more: then there is no order to lose.
 */
export function hasNoKeyOrder(value: unknown): boolean {
  // Iterative, and pushed one by one: a 1 MB message can hold an array of 500,000 members.
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null) continue;
    const members = Array.isArray(next) ? next : Object.values(next);
    if (!Array.isArray(next) && members.length > 1) return false;
    for (const member of members) if (typeof member === 'object' && member !== null) pending.push(member);
  }
  return true;
}
