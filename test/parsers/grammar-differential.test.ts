/**
 * Differential test: each built-in text format's grammar (anchored regexes with named
 * groups) and its production scanner must read every message to the same result: the
 * same fields, values, event time, tags, or the same failure reason. Inputs: the shared
 * corpus (../shared/corpus, or CORPUS_DIR), the bundled samples, generated messages and
 * fuzzed copies of all of them. The run's fast-check seed (test/helpers/fast-check-seed.ts)
 * is printed; rerun one with FAST_CHECK_SEED=<seed> npx vitest run test/parsers/grammar-differential.test.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLambdaParser, parseLambdaPlatform } from '../../parsers/lambda-platform';
import { LAMBDA_TEXT_KEYS } from '../../parsers/lambda-text-grammar';
import { platformLineTypeByGrammar, readPlatformLineByGrammar } from '../../parsers/lambda-text-grammar-parser';
import { parseSlowQuery } from '../../parsers/rds-mysql-slowquery';
import { SLOWLOG_HEADER_FIELDS } from '../../parsers/slowquery-grammar';
import { parseSlowQueryByGrammar } from '../../parsers/slowquery-grammar-parser';
import type { ParseContext } from '../../parsers/types';
import { filesUnder, stringsOf } from '../helpers/corpus-files';
import { splitEntries } from '../helpers/slowlog-entries';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CORPUS = process.env['CORPUS_DIR'] ?? resolve(ROOT, '../shared/corpus');
const HAS_CORPUS = existsSync(CORPUS);
if (!HAS_CORPUS) console.warn(`grammar-differential: ${CORPUS} is absent (set CORPUS_DIR); corpus inputs skipped`);

// The run's seed, set by the setup file from FAST_CHECK_SEED; each property offsets it.
const SEED = fc.readConfigureGlobal().seed!;
console.log(`grammar-differential: fast-check seed ${SEED} (rerun with FAST_CHECK_SEED=${SEED})`);
const RUNS = 3000;

const SLOW_CONTEXT: ParseContext = { logGroup: '/aws/rds/instance/db-1/slowquery', logStream: 'db-1', timestamp: 0 };
const LAMBDA_CONTEXT: ParseContext = {
  logGroup: '/aws/lambda/orders-api',
  logStream: '2024/05/01/[$LATEST]0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  timestamp: 0,
};
const parseLambdaByGrammar = createLambdaParser({ lineType: platformLineTypeByGrammar, readLine: readPlatformLineByGrammar });

function expectSameSlowLog(message: string): void {
  expect(parseSlowQueryByGrammar(message, SLOW_CONTEXT), JSON.stringify(message)).toStrictEqual(parseSlowQuery(message, SLOW_CONTEXT));
}

function expectSameLambda(message: string): void {
  expect(parseLambdaByGrammar(message, LAMBDA_CONTEXT), JSON.stringify(message)).toStrictEqual(parseLambdaPlatform(message, LAMBDA_CONTEXT));
}

/** Messages from a corpus or fixture file: JSON strings; text files as entries and as lines. */
function messagesOf(path: string, slowLog: boolean): string[] {
  const text = readFileSync(path, 'utf8');
  if (path.endsWith('.json')) return stringsOf(JSON.parse(text));
  return slowLog ? [...splitEntries(text), text] : [...text.split('\n'), text];
}

const SLOW_SAMPLES = [
  ...filesUnder(join(CORPUS, 'mysql-slowlog')).flatMap((path) => messagesOf(path, true)),
  ...filesUnder(join(ROOT, 'test/fixtures/rds-mysql-slowquery')).flatMap((path) => messagesOf(path, true)),
  ...['rds-aurora-cluster', 'rds-mariadb-instance', 'rds-mysql-instance'].flatMap((name) =>
    messagesOf(join(ROOT, `test/fixtures/samples-decoded/${name}.json`), true),
  ),
];
const LAMBDA_SAMPLES = [
  ...filesUnder(join(CORPUS, 'lambda-report')).flatMap((path) => messagesOf(path, false)),
  ...filesUnder(join(ROOT, 'test/fixtures/lambda')).flatMap((path) => (path.endsWith('.json') ? messagesOf(path, false) : [])),
  ...['lambda-text', 'lambda-json'].flatMap((name) => messagesOf(join(ROOT, `test/fixtures/samples-decoded/${name}.json`), false)),
];

// ---- generated slow-log entries: every line kind, right and wrong values ----

const pick = <T>(...values: T[]) => fc.constantFrom(...values);
const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^\\d{${min},${max}}$`));
const blanks = pick(' ', '  ', '\t', ' \t', '');
const word = fc.stringMatching(/^[A-Za-z0-9_.$`'-]{0,8}$/);

const isoTime = fc
  .tuple(pick('2019', '2024', '1969', '9999'), pick('01', '02', '12', '13'), pick('01', '29', '30', '31'), pick('00', '23', '24'), pick('00', '59', '60'))
  .chain(([year, month, day, hour, minute]) =>
    fc
      .tuple(pick('', '.5', '.123', '.811234', '.1234567890'), pick('Z', '+08:00', '-05:30', '+99:99', 'z', ''))
      .map(([fraction, zone]) => `${year}-${month}-${day}T${hour}:${minute}:${minute}${fraction}${zone}`),
  );
const shortTime = fc
  .tuple(pick('210122', '240305', '240230', '991231'), pick(' ', '  ', '   '), pick('7', '17', '24', '123', ''), pick(':01:02', ':60:00', ':1:02'), pick('', '.5', '.123456'))
  .map((parts) => parts.join(''));
const timeValue = fc.oneof(isoTime, shortTime, pick('margdl 11:48:27', '', ' '));

const ipv4 = fc.tuple(digits(1, 3), digits(1, 3), digits(1, 3), digits(1, 3)).map((parts) => parts.join('.'));
const address = fc.oneof(ipv4, pick('', '::1', '2001:db8::5', 'fe80::1%eth0', '10.0.1.05', 'apphost', ' 127.0.0.1 '));
const userHostValue = fc
  .tuple(word, word, pick(' @ ', ' @ ', ' @  ', '] @ ', ' '), pick('', 'localhost', 'app host', '[x]'), address, pick('', '  Id:   274', '  Id:   274', ' Id: 1', '  Id:', ' Id: x', '  Id: 1234567890123456', ' extra'))
  .map(([priv, login, at, host, ip, id]) => `${priv}[${login}]${at}${host} [${ip}]${id}`);

const validUserHost = fc
  .tuple(word, word, pick('', 'localhost'), fc.oneof(ipv4, pick('', '2001:db8::5')), pick('', '  Id:   274'))
  .map(([priv, login, host, ip, id]) => `${priv}[${login}] @ ${host} [${ip}]${id}`);
const validIso = fc
  .tuple(pick('2019-03-24', '2024-02-29', '2021-08-10'), pick('T14:01:47', 'T00:00:00', 'T23:59:59'), pick('', '.5', '.811234'), pick('Z', '+08:00'))
  .map((parts) => parts.join(''));
const validShort = fc.tuple(pick('210122', '240305'), pick(' 7:01:02', '  7:01:02', ' 17:01:02'), pick('', '.123456')).map((parts) => parts.join(''));
const VALID_VALUES = {
  seconds: fc.oneof(digits(1, 3), pick('0.000193', '5.001142', '12.5')),
  count: fc.oneof(digits(1, 6), pick('18446744073709551615')),
  flag: pick('Yes', 'No', 'yes', 'NO'),
  time: validIso,
  text: fc.oneof(word, pick('two words', 'x:y')),
} as const;
const knownPair = fc.constantFrom(...Object.entries(SLOWLOG_HEADER_FIELDS)).chain(([key, { kind }]) =>
  fc.tuple(pick(key, key, key.toUpperCase()), VALID_VALUES[kind]),
);
const wrongValue = fc.oneof(
  pick('1.2.3', '123456789012345678901234567890', '1234567890123456789012345678901', 'Maybe', '', '\u00a0', 'Rows_sent:1'),
  isoTime,
);
const anyPair = fc.oneof(
  { weight: 12, arbitrary: knownPair },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...Object.keys(SLOWLOG_HEADER_FIELDS)), wrongValue) },
  { weight: 1, arbitrary: fc.tuple(pick('Unknown_key', 'InnoDB_IO_r_ops', 'Id', 'Time', '1bad', 'a-b'), fc.oneof(word, wrongValue)) },
);
const pair = fc.tuple(blanks, anyPair, pick(':', ': ', ':  ', ':\t')).map(([blank, [key, value], colon]) => `${blank}${key}${colon}${value}`);
const keyValueLine = fc.array(pair, { minLength: 1, maxLength: 8 }).map((pairs) => `#${pairs.join(' ')}`);
const queryTimeLine = fc
  .tuple(VALID_VALUES.seconds, VALID_VALUES.seconds, fc.array(pair, { maxLength: 6 }))
  .map(([query, lock, more]) => `# Query_time: ${query}  Lock_time: ${lock} Rows_sent: 1  Rows_examined: 2 ${more.join(' ')}`);

const headerLine = fc.oneof(
  { weight: 4, arbitrary: keyValueLine },
  { weight: 3, arbitrary: fc.oneof(validIso, validShort, validIso, validShort, timeValue).map((time) => `# Time: ${time}`) },
  { weight: 1, arbitrary: fc.tuple(timeValue, userHostValue).map(([time, userHost]) => `# Time: ${time} # User@Host: ${userHost}`) },
  { weight: 2, arbitrary: fc.oneof(validUserHost, validUserHost, userHostValue).map((text) => `# User@Host: ${text}`) },
  { weight: 1, arbitrary: pick('# explain: id\tselect_type', '#', '# ', '#Time: 1', '# Query_time:') },
);
const bodyLine = fc.oneof(
  pick('use db;', 'use `my db`;', 'use ;', 'use a;b;', 'SET timestamp=1611338681;', 'SET last_insert_id=5,insert_id=6,timestamp=1611338681;'),
  pick('SET timestamp=99999999999999999;', 'SET timestamp=1234567890123456;', 'SET insert_id=1,timestamp=1;'),
  pick('# administrator command: Quit;', '# administrator command: ;', '# administrator command:  Ping ;;'),
  pick('select * from t where id = 1;', 'SELECT 1', '# a hash line;', '', '  ', 'insert into t values (1);\u2028;'),
  fc.string({ maxLength: 20 }),
);
const slowEntry = fc
  .tuple(
    fc.array(pick('', '/rdsdbbin/mysql/bin/mysqld, Version: 8.0.28 (Source distribution). started with:', 'Tcp port: 3306  Unix socket: /tmp/mysql.sock', 'Time                 Id Command    Argument', 'TimeCommand Id Argument '), { maxLength: 2 }),
    fc.array(headerLine, { maxLength: 3 }),
    fc.option(queryTimeLine, { freq: 8 }),
    fc.array(headerLine, { maxLength: 2 }),
    fc.array(bodyLine, { maxLength: 4 }),
    pick('\n', '\r\n'),
  )
  .map(([banner, before, queryTime, after, body, newline]) =>
    [...banner, ...before, ...(queryTime === null ? [] : [queryTime]), ...after, ...body].join(newline),
  );

// ---- generated Lambda platform lines ----

const lambdaKey = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...Object.keys(LAMBDA_TEXT_KEYS)) },
  { weight: 1, arbitrary: pick('Tenant Id', 'Billed', 'Name', 'State') },
);
const lambdaValue = fc.oneof(
  pick('8edab1f8-7d34-4a8e-a965-15ccbbb78d4c', '$LATEST', 'nodejs:20.v13', 'timeout', 'Runtime.ExitError', 'Runtime Exit Error'),
  fc.tuple(digits(1, 16), pick('', '.5', '.62', '.1234567890123'), pick(' ms', 'ms', ' MB', 'MB', ' msx', ' s', '')).map((parts) => parts.join('')),
  pick('true', 'false', 'True', 'true\\x', '1-5e1b4151-5ac6c58f5ddc8aa4b3c2d1e0', 'a\\b', 'a\\tb', ''),
);
const lambdaSeparator = pick('\t', ' ', '  ', ' \t', '\\t', '\n', '\r\n', '\u00a0', '\u2028', '');
const lambdaLine = fc
  .tuple(
    pick('REPORT', 'START', 'END', 'INIT_START', 'INIT_REPORT', 'RESTORE_START', 'RESTORE_REPORT', 'EXTENSION', 'LOGS', 'TELEMETRY', 'REPORTX', 'XRAY'),
    pick(' ', '\t', '  ', ''),
    fc.array(fc.tuple(lambdaKey, pick(': ', ':', ':  '), lambdaValue, lambdaSeparator), { maxLength: 10 }),
  )
  .map(([type, gap, fields]) => `${type}${gap}${fields.map(([key, colon, value, separator]) => `${key}${colon}${value}${separator}`).join('')}`);

// ---- fuzzing: random edits of real and generated messages ----

const EDIT_CHARACTERS = [' ', '\t', '\n', '\r', ':', '#', '[', ']', '@', ';', '.', '-', '\\', '0', '9', 'a', 'Z', '\u00a0', '\u2028', 'é'];
function fuzzed(seeds: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), pick('insert', 'delete', 'replace'), fc.constantFrom(...EDIT_CHARACTERS));
  return fc.tuple(seeds, fc.array(edit, { minLength: 1, maxLength: 6 })).map(([text, edits]) =>
    edits.reduce((current, [position, operation, character]) => {
      const at = current.length === 0 ? 0 : position % (current.length + 1);
      if (operation === 'insert') return current.slice(0, at) + character + current.slice(at);
      if (operation === 'delete') return current.slice(0, at) + current.slice(at + 1);
      return current.slice(0, at) + character + current.slice(at + 1);
    }, text),
  );
}

const options = (offset: number) => ({ seed: SEED + offset, numRuns: RUNS });

describe('slow log: grammar and scanner read every message alike', () => {
  it(`corpus and bundled samples (${SLOW_SAMPLES.length} messages)`, () => {
    expect(SLOW_SAMPLES.length).toBeGreaterThan(20);
    for (const message of SLOW_SAMPLES) expectSameSlowLog(message);
  });

  it('generated entries', () => {
    fc.assert(fc.property(slowEntry, (message) => expectSameSlowLog(message)), options(1));
  });

  it('fuzzed samples and generated entries', () => {
    const seeds = fc.oneof(fc.constantFrom(...SLOW_SAMPLES), slowEntry);
    fc.assert(fc.property(fuzzed(seeds), (message) => expectSameSlowLog(message)), options(2));
  });
});

describe('Lambda platform text lines: grammar and scanner read every message alike', () => {
  it(`corpus and bundled samples (${LAMBDA_SAMPLES.length} messages)`, () => {
    expect(LAMBDA_SAMPLES.length).toBeGreaterThan(20);
    for (const message of LAMBDA_SAMPLES) expectSameLambda(message);
  });

  it('generated lines', () => {
    fc.assert(fc.property(lambdaLine, (message) => expectSameLambda(message)), options(3));
  });

  it('fuzzed samples and generated lines', () => {
    const seeds = fc.oneof(fc.constantFrom(...LAMBDA_SAMPLES), lambdaLine);
    fc.assert(fc.property(fuzzed(seeds), (message) => expectSameLambda(message)), options(4));
  });
});

describe('the generated inputs reach both outcomes (else the comparison above proves little)', () => {
  it.each([
    ['slow-log entries', slowEntry, (message: string) => parseSlowQuery(message, SLOW_CONTEXT).ok],
    ['Lambda lines', lambdaLine, (message: string) => parseLambdaPlatform(message, LAMBDA_CONTEXT).ok],
  ] as const)('%s: at least a tenth read and a tenth refused', (_name, arbitrary, isOk) => {
    const outcomes = fc.sample(arbitrary, { seed: SEED, numRuns: 1000 }).map(isOk);
    const read = outcomes.filter(Boolean).length;
    console.log(`grammar-differential: ${_name}: ${read} of 1000 read, ${1000 - read} refused`);
    expect(read).toBeGreaterThan(100);
    expect(1000 - read).toBeGreaterThan(100);
  });
});
