/**
 * Whether a CloudTrail `sourceIPAddress` is an address (for `source.ip`, an `ip` field
 * that rejects the whole document on a bad value) or a name such as `glue.amazonaws.com`.
 * Strict on purpose: a value OpenSearch could refuse must not be sent as an address.
 */

// Four decimal octets 0-255 without leading zeros.
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/** True for a dotted-quad IPv4 or an RFC 4291 IPv6 text address (no zone, no brackets). */
export function isIpAddress(value: string): boolean {
  return isIpv4(value) || isIpv6(value);
}

function isIpv4(value: string): boolean {
  return IPV4.test(value);
}

function isIpv6(value: string): boolean {
  if (value.length < 2 || value.length > 45 || !value.includes(':')) return false;
  const halves = value.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((half) => (half === '' ? [] : half.split(':')));
  const all = groups.flat();
  let count = all.length;
  // An embedded IPv4 tail (`::ffff:192.0.2.1`) stands for two groups.
  const last = all[all.length - 1];
  if (last !== undefined && last.includes('.')) {
    if (!isIpv4(last)) return false;
    all.pop();
    count += 1;
  }
  if (!all.every((group) => IPV6_GROUP.test(group))) return false;
  return halves.length === 2 ? count <= 7 : count === 8;
}
