/** The kind of a logged statement: its first SQL keyword. */

/**
 * First keyword of `sql` in upper case (`SELECT`, `CALL`, …), skipping blanks, comments
 * (`/* *\/`, `-- `, `#`) and opening parentheses; undefined when it starts otherwise.
 */
export function statementType(sql: string): string | undefined {
  let i = 0;
  const length = sql.length;
  while (i < length) {
    const char = sql.charCodeAt(i);
    if (char === 0x28 /* ( */ || isBlank(char)) {
      i += 1;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) return undefined;
      i = end + 2;
    } else if (char === 0x23 /* # */ || (sql.startsWith('--', i) && (i + 2 === length || isBlank(sql.charCodeAt(i + 2))))) {
      const end = sql.indexOf('\n', i);
      if (end < 0) return undefined;
      i = end + 1;
    } else {
      break;
    }
  }
  let end = i;
  while (end < length && isLetter(sql.charCodeAt(end))) end += 1;
  return end > i ? sql.slice(i, end).toUpperCase() : undefined;
}

function isBlank(char: number): boolean {
  return char === 0x20 || char === 0x09 || char === 0x0a || char === 0x0d || char === 0x0b || char === 0x0c;
}

function isLetter(char: number): boolean {
  return (char >= 0x41 && char <= 0x5a) || (char >= 0x61 && char <= 0x7a) || char === 0x5f;
}
