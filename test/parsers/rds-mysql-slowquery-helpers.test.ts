import { describe, expect, it } from 'vitest';
import { readField, splitKeyValues } from '../../parsers/slowquery-key-values';
import { statementType } from '../../parsers/slowquery-statement';
import { epochSecondsToIso, parseIsoTime, parseSlowLogTime } from '../../parsers/slowquery-time';
import { parseUserHost } from '../../parsers/slowquery-user-host';

describe('parseSlowLogTime', () => {
  it.each([
    ['2019-03-24T14:01:47.811234Z', '2019-03-24T14:01:47.811Z'],
    ['2018-08-07T16:27:47.169604+08:00', '2018-08-07T08:27:47.169Z'],
    ['2024-01-01T02:30:00.5-05:30', '2024-01-01T08:00:00.500Z'],
    ['2024-03-01T01:00:00+02:00', '2024-02-29T23:00:00.000Z'],
    ['2016-12-12T11:54:16Z', '2016-12-12T11:54:16.000Z'],
    ['240305  7:01:02', '2024-03-05T07:01:02.000Z'],
    ['240305 17:01:02', '2024-03-05T17:01:02.000Z'],
    ['071015 21:43:52', '2007-10-15T21:43:52.000Z'],
    ['121123 19:56:06.0000001967', '2012-11-23T19:56:06.000Z'],
  ])('%s -> %s', (value, expected) => {
    expect(parseSlowLogTime(value)).toBe(expected);
  });

  it.each([
    'margdl 11:48:27',
    '2023-02-30T10:00:00Z',
    '2023-13-01T10:00:00Z',
    '2023-01-01T24:00:00Z',
    '2023-01-01T10:60:00Z',
    '2023-01-01 10:00:00',
    '2023-01-01T10:00:00',
    '240230  7:01:02',
    '240305 7:1:02',
    '1969-12-31T23:59:59Z',
    '',
  ])('%j is not a time', (value) => {
    expect(parseSlowLogTime(value)).toBeUndefined();
  });
});

describe('parseIsoTime', () => {
  it.each([
    ['2019-03-24T14:04:51.082107Z', '2019-03-24T14:04:51.082107Z'],
    ['2019-03-24T22:04:51.082107+08:00', '2019-03-24T14:04:51.082107Z'],
    ['2019-03-24T14:04:51Z', '2019-03-24T14:04:51Z'],
  ])('keeps every fraction digit: %s -> %s', (value, expected) => {
    expect(parseIsoTime(value)).toBe(expected);
  });

  it('does not read the YYMMDD form', () => {
    expect(parseIsoTime('240305 17:01:02')).toBeUndefined();
  });
});

describe('epochSecondsToIso', () => {
  it.each([
    ['1611338681', '2021-01-22T18:04:41.000Z'],
    ['0', '1970-01-01T00:00:00.000Z'],
    ['253402300799', '9999-12-31T23:59:59.000Z'],
  ])('%s -> %s', (digits, expected) => {
    expect(epochSecondsToIso(digits)).toBe(expected);
  });

  it.each(['253402300800', '99999999999999999999'])('%s is out of range', (digits) => {
    expect(epochSecondsToIso(digits)).toBeUndefined();
  });
});

describe('parseUserHost', () => {
  it.each([
    [' root[root] @ localhost []', { privUser: 'root', loginUser: 'root', host: 'localhost' }],
    [' admin[admin] @  [172.31.74.90]  Id:   274', { privUser: 'admin', loginUser: 'admin', ip: '172.31.74.90', threadId: 274 }],
    [' [SQL_SLAVE] @  []', { loginUser: 'SQL_SLAVE' }],
    [' app_rw[jane] @ web-1 [10.0.0.9]  Id: 10997316', { privUser: 'app_rw', loginUser: 'jane', host: 'web-1', ip: '10.0.0.9', threadId: 10997316 }],
    [' a[a] @  [::ffff:10.1.2.3]', { privUser: 'a', loginUser: 'a', ip: '::ffff:10.1.2.3' }],
    [' a[a] @  [fe80::1]  Id:     3', { privUser: 'a', loginUser: 'a', ip: 'fe80::1', threadId: 3 }],
    // Hand-written Percona sample: a name in the address brackets, no host.
    [' foo[foo] @ [host]', { privUser: 'foo', loginUser: 'foo', host: 'host' }],
    // A name in the address brackets beside a host is not an address: dropped.
    [' a[a] @ h [not-an-ip]', { privUser: 'a', loginUser: 'a', host: 'h' }],
    [' a[a] @  [300.1.1.1]', { privUser: 'a', loginUser: 'a', host: '300.1.1.1' }],
  ])('%j', (text, expected) => {
    expect(parseUserHost(text)).toStrictEqual(expected);
  });

  it.each([' truncated', ' root[root]', ' root[root] @ localhost', ' a[a] @ h [1.1.1.1] Id: x', ' a[a] @ h [1.1.1.1] extra'])(
    '%j is not a User@Host line',
    (text) => {
      expect(parseUserHost(text)).toBeUndefined();
    },
  );
});

describe('splitKeyValues', () => {
  it.each([
    [
      ' Query_time: 0.000193  Lock_time: 0.000093 Rows_sent: 1  Rows_examined: 1',
      [['Query_time', '0.000193'], ['Lock_time', '0.000093'], ['Rows_sent', '1'], ['Rows_examined', '1']],
    ],
    [' Thread_id: 37  Schema:   QC_hit: No', [['Thread_id', '37'], ['Schema', ''], ['QC_hit', 'No']]],
    [' Query_time: 0.5  Rows_examined:40 ', [['Query_time', '0.5'], ['Rows_examined', '40']]],
    ['   InnoDB_IO_r_ops: 0  InnoDB_IO_r_wait: 0.000000', [['InnoDB_IO_r_ops', '0'], ['InnoDB_IO_r_wait', '0.000000']]],
    [' No InnoDB statistics available for this query', []],
    [' Start: 2019-03-24T14:04:51.082107Z End: 2019-03-24T14:04:53.713951Z', [['Start', '2019-03-24T14:04:51.082107Z'], ['End', '2019-03-24T14:04:53.713951Z']]],
    [' Client: 127.0.0.1:12345', [['Client', '127.0.0.1:12345']]],
    ['\tStored_routine:\tdb.proc', [['Stored_routine', 'db.proc']]],
    // A value of several words, joined by one space whatever blanks separated them.
    [' Stored_routine: db \t proc  Rows_sent: 1', [['Stored_routine', 'db proc'], ['Rows_sent', '1']]],
    [' Rows_sent: 1 2 3', [['Rows_sent', '1 2 3']]],
    [' words first Rows_sent: 1', [['Rows_sent', '1']]],
    [' 9key: 1  _key: 2  k9_: 3', [['_key', '2'], ['k9_', '3']]],
    [' K\u00e9y: 1  Key: 2', [['Key', '2']]],
    [' Key:', [['Key', '']]],
    [' Key:  ', [['Key', '']]],
    [' Key', []],
    ['', []],
    [' a:b:c', [['a', 'b:c']]],
    // Keys are names: brackets, braces, a colon alone or a character past ASCII make a plain word.
    [' Rows_sent: 1  a[b: 2  c{d: 3', [['Rows_sent', '1 a[b: 2 c{d: 3']]],
    [' Rows_sent: 1 : 2', [['Rows_sent', '1 : 2']]],
    [' Rows_sent: 1  a\u0080b: 2', [['Rows_sent', '1 a\u0080b: 2']]],
    // A key at the very start of the text, and an inline first word followed by more.
    ['Query_time: 1', [['Query_time', '1']]],
    [' Stored_routine:db proc', [['Stored_routine', 'db proc']]],
  ])('%j', (text, expected) => {
    expect(splitKeyValues(text)).toStrictEqual(expected);
  });
});

describe('readField', () => {
  it.each([
    [['Query_time', '2'], { kind: 'field', field: 'query_time_sec', value: 2 }],
    [['QC_Hit', 'Yes'], { kind: 'field', field: 'query_cache_hit', value: true }],
    [['QC_hit', 'No'], { kind: 'field', field: 'query_cache_hit', value: false }],
    [['Rows_examined', '9007199254740993'], { kind: 'skip' }],
    [['Schema', ''], { kind: 'skip' }],
    [['InnoDB_trx_id', 'A07'], { kind: 'skip' }],
    [['Rows_sent', '-1'], { kind: 'error', reason: 'bad Rows_sent value "-1"' }],
    [['Lock_time', ''], { kind: 'error', reason: 'bad Lock_time value ""' }],
    // Counts: digits only, 1 to 30 of them; past 2^53 - 1 left out.
    [['Rows_examined', '1a'], { kind: 'error', reason: 'bad Rows_examined value "1a"' }],
    [['Rows_examined', 'a1'], { kind: 'error', reason: 'bad Rows_examined value "a1"' }],
    [['Rows_sent', ''], { kind: 'error', reason: 'bad Rows_sent value ""' }],
    [['Rows_sent', '1.5'], { kind: 'error', reason: 'bad Rows_sent value "1.5"' }],
    [['Rows_sent', '/'], { kind: 'error', reason: 'bad Rows_sent value "/"' }],
    [['Rows_sent', ':'], { kind: 'error', reason: 'bad Rows_sent value ":"' }],
    [['Rows_sent', '0'], { kind: 'field', field: 'rows_sent', value: 0 }],
    [['Rows_sent', '9'], { kind: 'field', field: 'rows_sent', value: 9 }],
    [['Rows_sent', '0123456789'], { kind: 'field', field: 'rows_sent', value: 123456789 }],
    [['Rows_sent', '999999999999999'], { kind: 'field', field: 'rows_sent', value: 999999999999999 }],
    [['Bytes_sent', '9007199254740991'], { kind: 'field', field: 'bytes_sent', value: 9007199254740991 }],
    [['Bytes_sent', '9007199254740992'], { kind: 'skip' }],
    [['Bytes_sent', '0000000000000000000000000000042'], { kind: 'error', reason: 'bad Bytes_sent value "0000000000000000000000000000042"' }],
    [['Bytes_sent', '000000000000000000000000000042'], { kind: 'field', field: 'bytes_sent', value: 42 }],
    [['Thread_id', '37'], { kind: 'field', field: '@thread_id', value: 37 }],
    // Seconds: 1-12 digits, then an optional dot and 1-12 digits.
    [['Query_time', '0.000193'], { kind: 'field', field: 'query_time_sec', value: 0.000193 }],
    [['Query_time', '123456789012.5'], { kind: 'field', field: 'query_time_sec', value: 123456789012.5 }],
    [['Query_time', '1.123456789012'], { kind: 'field', field: 'query_time_sec', value: 1.123456789012 }],
    [['Query_time', '123456789012.123456'], { kind: 'field', field: 'query_time_sec', value: 123456789012.123456 }],
    [['Query_time', '0.5'], { kind: 'field', field: 'query_time_sec', value: 0.5 }],
    [['Query_time', '9.9'], { kind: 'field', field: 'query_time_sec', value: 9.9 }],
    // MySQL's value for a time that went negative (2^64 - 1 microseconds): no duration, left out.
    [['Lock_time', '18446744073709.551615'], { kind: 'skip' }],
    [['Query_time', '1234567890123'], { kind: 'skip' }],
    [['Query_time', '0,5'], { kind: 'error', reason: 'bad Query_time value "0,5"' }],
    [['Query_time', '0:5'], { kind: 'error', reason: 'bad Query_time value "0:5"' }],
    [['Query_time', '2.'], { kind: 'error', reason: 'bad Query_time value "2."' }],
    [['Query_time', '.5'], { kind: 'error', reason: 'bad Query_time value ".5"' }],
    [['Query_time', '1.5x'], { kind: 'error', reason: 'bad Query_time value "1.5x"' }],
    [['Query_time', '1.1234567890123'], { kind: 'error', reason: 'bad Query_time value "1.1234567890123"' }],
    [['Query_time', '18446744073709.551615.5'], { kind: 'error', reason: 'bad Query_time value "18446744073709.551615.5"' }],
    // Flags: yes or no in any case, nothing else.
    [['Full_scan', 'yes'], { kind: 'field', field: 'full_scan', value: true }],
    [['Full_scan', 'YES'], { kind: 'field', field: 'full_scan', value: true }],
    [['Full_scan', 'yEs'], { kind: 'field', field: 'full_scan', value: true }],
    [['Full_join', 'NO'], { kind: 'field', field: 'full_join', value: false }],
    [['Full_join', 'nO'], { kind: 'field', field: 'full_join', value: false }],
    [['Full_scan', 'abc'], { kind: 'error', reason: 'bad Full_scan value "abc"' }],
    [['Full_scan', 'yet'], { kind: 'error', reason: 'bad Full_scan value "yet"' }],
    [['Full_scan', 'Yez'], { kind: 'error', reason: 'bad Full_scan value "Yez"' }],
    [['Full_scan', 'xes'], { kind: 'error', reason: 'bad Full_scan value "xes"' }],
    [['Full_scan', 'Y'], { kind: 'error', reason: 'bad Full_scan value "Y"' }],
    [['Full_scan', 'yess'], { kind: 'error', reason: 'bad Full_scan value "yess"' }],
    [['Full_scan', 'na'], { kind: 'error', reason: 'bad Full_scan value "na"' }],
    [['Full_scan', 'oo'], { kind: 'error', reason: 'bad Full_scan value "oo"' }],
    [['Full_scan', 'nos'], { kind: 'error', reason: 'bad Full_scan value "nos"' }],
    [['Full_scan', 'N\u00ef'], { kind: 'error', reason: 'bad Full_scan value "N\u00ef"' }],
    [['Full_scan', 'N\u014f'], { kind: 'error', reason: 'bad Full_scan value "N\u014f"' }],
    [['Full_scan', ''], { kind: 'error', reason: 'bad Full_scan value ""' }],
    // Times and text.
    [['Start', '2019-03-24T14:04:51.082107Z'], { kind: 'field', field: 'start_time', value: '2019-03-24T14:04:51.082107Z' }],
    [['End', 'soon'], { kind: 'error', reason: 'bad End value "soon"' }],
    [['Stored_routine', 'db.proc'], { kind: 'field', field: 'stored_routine', value: 'db.proc' }],
    [['Schema', 'shop'], { kind: 'field', field: '@schema', value: 'shop' }],
    [['Rows_examined', 'x'.repeat(50)], { kind: 'error', reason: `bad Rows_examined value "${'x'.repeat(40)}"` }],
  ] as const)('%j -> %j', (pair, expected) => {
    expect(readField(pair)).toStrictEqual(expected);
  });
});

describe('statementType', () => {
  it.each([
    ['select 1;', 'SELECT'],
    ['  \n\tUpdate t set a = 1;', 'UPDATE'],
    ['/* a */ /* b */ insert into t values (1);', 'INSERT'],
    ['-- note\ndelete from t;', 'DELETE'],
    ['# note\nCALL p();', 'CALL'],
    ['((SELECT 1) UNION (SELECT 2));', 'SELECT'],
    ['with x as (select 1) select * from x;', 'WITH'],
    ['SHOW /*!50002 GLOBAL */ STATUS;', 'SHOW'],
    ['--1;', undefined],
    ['123;', undefined],
    ['/* never closed', undefined],
    ['', undefined],
  ])('%j -> %s', (sql, expected) => {
    expect(statementType(sql)).toBe(expected);
  });
});
