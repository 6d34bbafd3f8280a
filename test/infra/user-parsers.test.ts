import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipelineConfig } from '../../functions/pipeline/config';
import { DOMAIN_ARN, DOMAIN_ENDPOINT, environmentOf, problems, synthesize } from './shapes';

const MINIMAL = {
  opensearch: { mode: 'existing-domain', endpoint: DOMAIN_ENDPOINT, domainArn: DOMAIN_ARN },
  subscriptions: { prefixes: ['/aws/lambda/', '/ecs/'] },
};
const PARSERS = (
  JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/user-parsers/parsers.json'), 'utf8')) as { parsers: unknown[] }
).parsers;

describe('user parsers in the deployment configuration', () => {
  it('ship with the shipper, redrive and assets functions as PARSERS_JSON, which the functions read back', () => {
    const { template } = synthesize({ ...MINIMAL, parsers: PARSERS });
    for (const description of [/Ships CloudWatch Logs/, /Replays failed shipper/, /Custom resource: applies index templates/]) {
      const variables = environmentOf(template, description);
      expect(JSON.parse(String(variables['PARSERS_JSON']))).toEqual({ parsers: PARSERS });
      const config = loadPipelineConfig({ PARSERS_JSON: String(variables['PARSERS_JSON']) });
      expect(config.userParsers.map((parser) => parser.definition.name)).toEqual(['billing-worker', 'edge-access']);
    }
  });

  it('none configured: no PARSERS_JSON', () => {
    expect(environmentOf(synthesize(MINIMAL).template, /Ships CloudWatch Logs/)).not.toHaveProperty('PARSERS_JSON');
  });

  it('a parser the functions would refuse fails at synth time, naming it', () => {
    const bad = [{ name: 'slow', logGroups: ['/x'], pattern: '(?<a>a)\\1' }];
    expect(problems({ ...MINIMAL, parsers: bad })).toContain('parsers: user parser "slow": the pattern uses a backreference');
    expect(problems({ ...MINIMAL, parsers: { name: 'x' } })).toContain('parsers: must be a list of parser definitions');
  });

  it('more than the Lambda environment can hold fails at synth time', () => {
    const many = Array.from({ length: 20 }, (_, n) => ({ name: `app-${n}`, logGroups: [`/ecs/app-${n}-*`], pattern: `^(?<time>\\S+) (?<level>[A-Z]+) request (?<path>\\S+) took (?<took>\\d+) ms` }));
    expect(problems({ ...MINIMAL, parsers: many })).toMatch(/parsers: take \d+ bytes as the PARSERS_JSON variable/);
  });
});
