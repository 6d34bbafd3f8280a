/**
 * The modules where data can be lost, each mutated against its own test files only
 * (a mutant must be killed by the tests that claim to cover it, not by a far-away suite).
 */
export const MUTATION_MODULES = {
  'bulk-response': {
    source: 'functions/sinks/bulk-response.ts',
    tests: ['test/sinks/bulk-response.test.ts'],
  },
  'opensearch-sink': {
    source: 'functions/sinks/opensearch-sink.ts',
    tests: ['test/sinks/opensearch-sink.test.ts', 'test/sinks/opensearch-sink-faults.test.ts', 'test/sinks/opensearch-sink-edges.test.ts'],
  },
  decode: {
    source: 'functions/pipeline/decode.ts',
    tests: ['test/pipeline/decode.test.ts'],
  },
  'rds-mysql-slowquery': {
    source: 'parsers/rds-mysql-slowquery.ts',
    // The property tests (parsers never throw) run thousands of inputs per mutant: too slow here.
    tests: ['test/parsers/rds-mysql-slowquery.test.ts', 'test/parsers/grammar-new-header-field.test.ts'],
  },
  'slowquery-key-values': {
    source: 'parsers/slowquery-key-values.ts',
    tests: [
      'test/parsers/rds-mysql-slowquery-helpers.test.ts',
      'test/parsers/rds-mysql-slowquery.test.ts',
      'test/parsers/grammar-new-header-field.test.ts',
    ],
  },
};
