/**
 * The grammar of the Lambda platform lines of the Text log format, as anchored regexes
 * with named groups: the readable specification (log-formats.md section 2).
 * `lambda-text-grammar-parser.ts` reads lines with these regexes alone; the production
 * scanner (`lambda-line-type.ts`, `lambda-text-keys.ts`, `lambda-text-values.ts`) must
 * give the same fields and values, which `test/parsers/grammar-differential.test.ts` checks.
 *
 *   REPORT RequestId: <id>\tDuration: 2.16 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\t
 *     Max Memory Used: 71 MB\t[Init Duration: …\t][Restore Duration: …\tBilled Restore Duration: …\t]
 *     [Status: timeout\t][Error Type: …\t][\nXRAY TraceId: …\tSegmentId: …\tSampled: true\t]
 *   START RequestId: <id> Version: $LATEST
 *   END RequestId: <id>
 *   INIT_START Runtime Version: nodejs:20.v13\tRuntime Version ARN: arn:…
 *   INIT_REPORT Init Duration: 1.23 ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError
 *   RESTORE_START Runtime Version: …\tRuntime Version ARN: …
 *   RESTORE_REPORT Restore Duration: 789.64 ms
 *   EXTENSION\tName: …\tState: Ready\tEvents: [INVOKE, SHUTDOWN]   (also LOGS, TELEMETRY)
 *
 * Fields are found by name, not position: copies of these lines use spaces for tabs,
 * older ones put a space before the tab, some captures are double-escaped (`\t` as two
 * characters), and the X-Ray part follows on a second line or on the same one.
 */

/** The start of a platform line; any other message is the function's own. */
export const PLATFORM_LINE =
  /^(?:(?<request>REPORT|START|END)[ \t]+RequestId:|(?<phase>INIT_START|INIT_REPORT|RESTORE_START|RESTORE_REPORT)[ \t]+[A-Z][A-Za-z ]{0,40}:|(?<extension>EXTENSION|LOGS|TELEMETRY)\t+Name:)/;

/** What a key's value is. */
export type KeyKind = 'ms' | 'mb' | 'token' | 'text' | 'flag';

/**
 * The known keys and the field each fills. A key counts after the line start, any `\s`
 * character, or a double-escaped `\t`/`\n`/`\r`; an unknown key (`Tenant Id:`) is part of
 * the value before it, which ends at a tab or line break anyway. The first of a repeated
 * key wins.
 */
export const LAMBDA_TEXT_KEYS = {
  'Billed Restore Duration': { field: 'billed_restore_duration_ms', kind: 'ms' },
  'Billed Duration': { field: 'billed_duration_ms', kind: 'ms' },
  'Restore Duration': { field: 'restore_duration_ms', kind: 'ms' },
  'Init Duration': { field: 'init_duration_ms', kind: 'ms' },
  'Max Memory Used': { field: 'max_memory_used_mb', kind: 'mb' },
  'Memory Size': { field: 'memory_size_mb', kind: 'mb' },
  Duration: { field: 'duration_ms', kind: 'ms' },
  RequestId: { field: 'request_id', kind: 'token' },
  'Runtime Version ARN': { field: 'runtime_version_arn', kind: 'token' },
  'Runtime Version': { field: 'runtime_version', kind: 'token' },
  Version: { field: 'function_version', kind: 'token' },
  Phase: { field: 'phase', kind: 'token' },
  Status: { field: 'status', kind: 'token' },
  'Error Type': { field: 'error_type', kind: 'text' },
  'XRAY TraceId': { field: 'xray_trace_id', kind: 'token' },
  SegmentId: { field: 'xray_segment_id', kind: 'token' },
  Sampled: { field: 'xray_sampled', kind: 'flag' },
} as const satisfies Record<string, { readonly field: string; readonly kind: KeyKind }>;

export type LambdaTextKey = keyof typeof LAMBDA_TEXT_KEYS;

const escapeKey = (key: string): string => key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Every known key of a line (global). Longer names first, so that `Billed Duration` is
 * taken whole where `Duration` would also match at the same place.
 */
export const KEY = new RegExp(
  `(?:^|\\s|\\\\[tnr])(?<key>${Object.keys(LAMBDA_TEXT_KEYS)
    .sort((a, b) => b.length - a.length)
    .map(escapeKey)
    .join('|')}):`,
  'g',
);

/**
 * A value, from after its key's `:` to the next key (or the line end), its leading
 * spaces dropped, read by its key's kind.
 */
export const VALUE = {
  ms: /^ *(?<number>\d{1,15}(?:\.\d{1,12})?) ?ms(?![A-Za-z])/,
  mb: /^ *(?<number>\d{1,15}) ?MB(?![A-Za-z])/,
  /** One token: anything up to a `\s` character or an escaped `\t`/`\n`/`\r`. */
  token: /^ *(?<token>(?:[^\s\\]|\\(?![tnr]))*)/,
  /** Several words, up to a tab, a line break or an escaped one; trailing spaces dropped. */
  text: /^ *(?<text>(?:[^\t\n\r\\]|\\(?![tnr]))*)/,
  flag: /^ *(?<flag>true|false)(?![^\s\\]|\\(?![tnr]))/,
} as const;
