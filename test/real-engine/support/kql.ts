/**
 * The few KQL forms our saved searches use, turned into the query DSL the way OpenSearch
 * Dashboards turns them (src/plugins/data/common/opensearch_query/kuery/functions: `is` with a
 * value -> match, quoted -> match_phrase, `*` -> exists; `range`; `or`/`and` -> bool). Dashboards
 * itself does not run here, so the suite translates; anything outside these forms throws, so a
 * new saved search cannot slip through untested.
 */

type Query = Record<string, unknown>;

const TOKEN = /\s*(\(|\)|"(?:[^"\\]|\\.)*"|>=|<=|>|<|:|[^\s():<>"]+)/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (text.slice(TOKEN.lastIndex).trim() === '') break;
    const match = TOKEN.exec(text);
    if (match === null) throw new Error(`KQL: cannot read "${text.slice(TOKEN.lastIndex)}"`);
    tokens.push(match[1]!);
  }
  return tokens;
}

const RANGE = { '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' } as const;

export function kqlToQuery(kql: string): Query {
  const tokens = tokenize(kql);
  if (tokens.length === 0) return { match_all: {} };
  let at = 0;
  const peek = () => tokens[at];
  const take = (expected?: string) => {
    const token = tokens[at++];
    if (token === undefined || (expected !== undefined && token !== expected)) throw new Error(`KQL: expected ${expected ?? 'more'} in "${kql}"`);
    return token;
  };
  const bool = (kind: 'should' | 'filter', queries: Query[]): Query =>
    queries.length === 1 ? queries[0]! : { bool: kind === 'should' ? { should: queries, minimum_should_match: 1 } : { filter: queries } };
  const value = (field: string, token: string): Query => {
    if (token === '*') return { exists: { field } };
    if (token.startsWith('"')) return { match_phrase: { [field]: JSON.parse(token) as string } };
    return { match: { [field]: token } };
  };
  const values = (field: string): Query => {
    if (peek() !== '(') return value(field, take());
    take('(');
    const alternatives = [value(field, take())];
    while (peek() === 'or') {
      take('or');
      alternatives.push(value(field, take()));
    }
    take(')');
    return bool('should', alternatives);
  };
  const clause = (): Query => {
    if (peek() === '(') {
      take('(');
      const inner = disjunction();
      take(')');
      return inner;
    }
    const field = take();
    const operator = take();
    if (operator === ':') return values(field);
    if (operator in RANGE) return { range: { [field]: { [RANGE[operator as keyof typeof RANGE]]: Number(take()) } } };
    throw new Error(`KQL: unsupported operator "${operator}" in "${kql}"`);
  };
  const conjunction = (): Query => {
    const parts = [clause()];
    while (peek() === 'and') {
      take('and');
      parts.push(clause());
    }
    return bool('filter', parts);
  };
  function disjunction(): Query {
    const parts = [conjunction()];
    while (peek() === 'or') {
      take('or');
      parts.push(conjunction());
    }
    return bool('should', parts);
  }
  const query = disjunction();
  if (at !== tokens.length) throw new Error(`KQL: unexpected "${tokens[at]}" in "${kql}"`);
  return query;
}
