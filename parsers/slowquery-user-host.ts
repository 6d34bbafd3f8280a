/** The `# User@Host:` line: `priv_user[user] @ host [ip]` and, on MySQL/Percona, `  Id: n`. */

export interface UserHost {
  readonly privUser?: string;
  readonly loginUser?: string;
  readonly host?: string;
  readonly ip?: string;
  readonly threadId?: number;
}

const THREAD_ID = /^Id:[ \t]*(?<id>\d{1,15})$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_CHARS = /^[0-9A-Fa-f:.]+$/;

/** Reads the text after `# User@Host: `; undefined when it does not have the server's shape. */
export function parseUserHost(text: string): UserHost | undefined {
  // indexOf instead of one regex: a line can be a megabyte long, and a regex with
  // several optional runs would backtrack on it.
  const loginOpen = text.indexOf('[');
  const loginClose = text.indexOf('] @', loginOpen);
  if (loginOpen < 0 || loginClose < 0) return undefined;
  const afterAt = text.slice(loginClose + 3);
  const ipOpen = afterAt.indexOf('[');
  const ipClose = afterAt.indexOf(']', ipOpen);
  if (ipOpen < 0 || ipClose < 0) return undefined;

  const tail = afterAt.slice(ipClose + 1).trim();
  const idMatch = tail === '' ? undefined : THREAD_ID.exec(tail);
  if (tail !== '' && !idMatch) return undefined;

  const host = afterAt.slice(0, ipOpen).trim();
  const bracketed = afterAt.slice(ipOpen + 1, ipClose).trim();
  // The second brackets hold an address; a name there (seen in hand-written samples
  // such as `foo[foo] @ [host]`) is kept as the host when the host slot is empty.
  const ip = isIpAddress(bracketed) ? bracketed : undefined;
  const domain = host !== '' ? host : ip === undefined && bracketed !== '' ? bracketed : undefined;

  return {
    ...nonEmpty('privUser', text.slice(0, loginOpen).trim()),
    ...nonEmpty('loginUser', text.slice(loginOpen + 1, loginClose).trim()),
    ...(domain !== undefined && { host: domain }),
    ...(ip !== undefined && { ip }),
    ...(idMatch && { threadId: Number(idMatch.groups!['id']) }),
  };
}

/** True for a dotted IPv4 address or something made only of IPv6 characters with a colon. */
export function isIpAddress(value: string): boolean {
  return IPV4.test(value) || (value.includes(':') && value.length <= 45 && IPV6_CHARS.test(value));
}

function nonEmpty<K extends string>(key: K, value: string): { [P in K]?: string } {
  return (value === '' ? {} : { [key]: value }) as { [P in K]?: string };
}
