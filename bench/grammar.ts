// npm run bench:grammar: each built-in text format read by its production scanner and by
// its grammar parser (the regexes of parsers/*-grammar.ts), on the benchmark's generated
// full batches, in alternating rounds. Prints figures, asserts nothing.
import { createLambdaParser, parseLambdaPlatform } from '../parsers/lambda-platform';
import { platformLineType } from '../parsers/lambda-line-type';
import { platformLineTypeByGrammar, readPlatformLineByGrammar } from '../parsers/lambda-text-grammar-parser';
import { parseSlowQuery } from '../parsers/rds-mysql-slowquery';
import { parseSlowQueryByGrammar } from '../parsers/slowquery-grammar-parser';
import type { ParseContext, ParseResult } from '../parsers/types';
import { generateBatch, type Source } from './generate';
import { compare } from './measure';

const QUICK = process.argv.includes('--quick');
const ROUNDS = QUICK ? 1 : 3;
const MIN_MS = QUICK ? 200 : 700;
type Parse = (message: string, context: ParseContext) => ParseResult;

const parseLambdaByGrammar = createLambdaParser({ lineType: platformLineTypeByGrammar, readLine: readPlatformLineByGrammar });

const CASES: readonly { name: string; source: Source; keep?: (message: string) => boolean; scanner: Parse; grammar: Parse }[] = [
  { name: 'slow-log entries', source: 'rds-mysql-slowquery', scanner: parseSlowQuery, grammar: parseSlowQueryByGrammar },
  { name: 'Lambda batch (all lines)', source: 'lambda', scanner: parseLambdaPlatform, grammar: parseLambdaByGrammar },
  {
    name: 'Lambda platform text lines only',
    source: 'lambda',
    keep: (message) => platformLineType(message) !== undefined,
    scanner: parseLambdaPlatform,
    grammar: parseLambdaByGrammar,
  },
];

console.log(`Grammar (regex) parsers beside the production scanners (Node ${process.version}, esbuild bundle${QUICK ? ', --quick' : ''})`);
console.log('| input | messages | scanner messages/s | grammar messages/s | grammar / scanner |');
console.log('|---|---:|---:|---:|---:|');
for (const { name, source, keep, scanner, grammar } of CASES) {
  const { batch } = generateBatch(source, { maxBytes: 1024 * 1024 });
  const messages = batch.logEvents.map((event) => event.message).filter((message) => keep?.(message) ?? true);
  const context: ParseContext = { logGroup: batch.logGroup, logStream: batch.logStream, timestamp: 0 };
  const rates = await compare(
    () => messages.forEach((message) => grammar(message, context)),
    () => messages.forEach((message) => scanner(message, context)),
    ROUNDS,
    MIN_MS,
  );
  const perSecond = (rate: number) => Math.round(rate * messages.length).toLocaleString('en-US');
  console.log(`| ${name} | ${messages.length} | ${perSecond(rates.floor)} | ${perSecond(rates.subject)} | ${(rates.subject / rates.floor).toFixed(2)} |`);
}
