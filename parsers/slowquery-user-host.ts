/** The `# User@Host:` line: `priv_user[user] @ host [ip]` and, on MySQL/Percona, `  Id: n`. */

export interface UserHost {
  readonly privUser?: string;
  readonly loginUser?: string;
  readonly host?: string;
  readonly ip?: string;
  readonly threadId?: number;
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_CHARS = /^[0-9A-Fa-f:.]+$/;

/** Reads the text after `# User@Host: `; undefined when it does not have the server's shape. */
export function parseUserHost(text: string): UserHost | undefined {
  // indexOf instead of one regex: a line can be a megabyte long, and a regex with
  // several optional runs would backtrack on it.
  const loginOpen = text.indexOf('[');
  const loginClose = text.indexOf('] @', loginOpen);
  if (loginOpen < 0 || loginClose < 0) return undefined;
  const afterAt = loginClose + 3;
  const ipOpen = text.indexOf('[', afterAt);
  const ipClose = text.indexOf(']', ipOpen);
  if (ipOpen < 0 || ipClose < 0) return undefined;

  const tail = text.slice(ipClose + 1).trim();
  const threadId = tail === '' ? undefined : readThreadId(tail);
  if (tail !== '' && threadId === undefined) return undefined;

  const host = text.slice(afterAt, ipOpen).trim();
  const bracketed = text.slice(ipOpen + 1, ipClose).trim();
  // The second brackets hold an address; a name there (seen in hand-written samples
  // such as `foo[foo] @ [host]`) is kept as the host when the host slot is empty.
  const ip = isIpAddress(bracketed) ? bracketed : undefined;
  const domain = host !== '' ? host : ip === undefined && bracketed !== '' ? bracketed : undefined;

  // Built field by field (no spreads): this runs for every entry.
  const userHost: { -readonly [K in keyof UserHost]: UserHost[K] } = {};
  const privUser = text.slice(0, loginOpen).trim();
  if (privUser !== '') userHost.privUser = privUser;
  const loginUser = text.slice(loginOpen + 1, loginClose).trim();
  if (loginUser !== '') userHost.loginUser = loginUser;
  if (domain !== undefined) userHost.host = domain;
  if (ip !== undefined) userHost.ip = ip;
  if (threadId !== undefined) userHost.threadId = threadId;
  return userHost;
}

/** `^Id:[ \t]*(\d{1,15})$` -> the number; undefined otherwise. (By hand: no match array.) */
function readThreadId(text: string): number | undefined {
  if (!text.startsWith('Id:')) return undefined;
  let i = 3;
  while (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09) i += 1;
  const digits = text.length - i;
  if (digits < 1 || digits > 15) return undefined;
  let id = 0;
  for (; i < text.length; i += 1) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    id = id * 10 + digit;
  }
  return id;
}

/** True for a dotted IPv4 address or something made only of IPv6 characters with a colon. */
export function isIpAddress(value: string): boolean {
  return IPV4.test(value) || (value.includes(':') && value.length <= 45 && IPV6_CHARS.test(value));
}
