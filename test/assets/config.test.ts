import { describe, expect, it } from 'vitest';
import { ASSETS_DEFAULTS, loadAssetsConfig } from '../../functions/assets/config';
import { ConfigError } from '../../functions/pipeline/errors';

const BASE = { OPENSEARCH_ENDPOINT: 'https://search-logs-abc.eu-west-1.es.amazonaws.com' };

describe('loadAssetsConfig', () => {
  it('applies the defaults', () => {
    const config = loadAssetsConfig(BASE);
    expect(config).toMatchObject({
      dashboardsUrl: 'https://search-logs-abc.eu-west-1.es.amazonaws.com/_dashboards',
      tenant: 'global',
      prefix: 'cwl',
      replicas: 1,
      shards: 1,
      retentionDays: 30,
      deadletterRetentionDays: 90,
      alerts: { channel: 'none', scannedBytesPerUserHour: 107_374_182_400, slowQueriesPer5m: 10, memoryRatio: 0.9 },
    });
    expect(config.openSearch).toMatchObject({ auth: 'sigv4', region: 'eu-west-1' });
    expect(ASSETS_DEFAULTS.scannedBytesPerUserHour).toBe(100 * 1024 ** 3);
  });

  it('reads every setting', () => {
    const config = loadAssetsConfig({
      OPENSEARCH_ENDPOINT: 'http://localhost:9200',
      DASHBOARDS_URL: 'http://localhost:5601/',
      DASHBOARDS_TENANT: 'ops team',
      INDEX_PREFIX: 'logs',
      INDEX_REPLICAS: '0',
      INDEX_SHARDS: '3',
      RETENTION_DAYS: '14',
      DEADLETTER_RETENTION_DAYS: '365',
      ALERT_CHANNEL: 'webhook',
      ALERT_WEBHOOK_URL: 'https://alerts.example.com/hook/',
      ALERT_SCANNED_BYTES_PER_USER_HOUR: '1000',
      ALERT_SLOW_QUERIES_PER_5M: '3',
      ALERT_MEMORY_RATIO: '0.8',
    });
    expect(config).toMatchObject({
      dashboardsUrl: 'http://localhost:5601',
      tenant: 'ops team',
      prefix: 'logs',
      replicas: 0,
      shards: 3,
      retentionDays: 14,
      deadletterRetentionDays: 365,
      alerts: {
        channel: 'webhook',
        webhookUrl: 'https://alerts.example.com/hook/',
        scannedBytesPerUserHour: 1000,
        slowQueriesPer5m: 3,
        memoryRatio: 0.8,
      },
    });
    expect(config.openSearch.auth).toBe('none');
  });

  it('reads the SNS channel, role optional', () => {
    const topic = 'arn:aws:sns:eu-west-1:123456789012:alerts';
    expect(loadAssetsConfig({ ...BASE, ALERT_CHANNEL: 'sns', ALERT_SNS_TOPIC_ARN: topic }).alerts).toEqual(
      expect.objectContaining({ channel: 'sns', snsTopicArn: topic }),
    );
    expect(
      loadAssetsConfig({
        ...BASE,
        ALERT_CHANNEL: 'sns',
        ALERT_SNS_TOPIC_ARN: topic,
        ALERT_SNS_ROLE_ARN: 'arn:aws:iam::123456789012:role/service-role/os-sns',
      }).alerts.snsRoleArn,
    ).toBe('arn:aws:iam::123456789012:role/service-role/os-sns');
  });

  it.each([
    [{}, 'OPENSEARCH_ENDPOINT'],
    [{ ...BASE, OPENSEARCH_AUTH: 'sigv4-aoss' }, 'OPENSEARCH_AUTH'],
    [{ ...BASE, DASHBOARDS_URL: 'ftp://x' }, 'DASHBOARDS_URL'],
    [{ ...BASE, DASHBOARDS_URL: 'not a url' }, 'DASHBOARDS_URL'],
    [{ ...BASE, DASHBOARDS_TENANT: 'a/b' }, 'DASHBOARDS_TENANT'],
    [{ ...BASE, INDEX_PREFIX: 'Upper' }, 'INDEX_PREFIX'],
    [{ ...BASE, INDEX_REPLICAS: '-1' }, 'INDEX_REPLICAS'],
    [{ ...BASE, INDEX_SHARDS: '0' }, 'INDEX_SHARDS'],
    [{ ...BASE, INDEX_SHARDS: '1025' }, 'INDEX_SHARDS'],
    [{ ...BASE, INDEX_SHARDS: 'two' }, 'INDEX_SHARDS'],
    [{ ...BASE, RETENTION_DAYS: '0' }, 'RETENTION_DAYS'],
    [{ ...BASE, RETENTION_DAYS: '30d' }, 'RETENTION_DAYS'],
    [{ ...BASE, DEADLETTER_RETENTION_DAYS: '9999' }, 'DEADLETTER_RETENTION_DAYS'],
    [{ ...BASE, ALERT_CHANNEL: 'email' }, 'ALERT_CHANNEL'],
    [{ ...BASE, ALERT_CHANNEL: 'slack' }, 'ALERT_WEBHOOK_URL'],
    [{ ...BASE, ALERT_CHANNEL: 'webhook', ALERT_WEBHOOK_URL: 'hooks.example.com' }, 'ALERT_WEBHOOK_URL'],
    [{ ...BASE, ALERT_CHANNEL: 'sns' }, 'ALERT_SNS_TOPIC_ARN'],
    [{ ...BASE, ALERT_CHANNEL: 'sns', ALERT_SNS_TOPIC_ARN: 'alerts' }, 'ALERT_SNS_TOPIC_ARN'],
    [{ ...BASE, ALERT_CHANNEL: 'sns', ALERT_SNS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:a', ALERT_SNS_ROLE_ARN: 'role' }, 'ALERT_SNS_ROLE_ARN'],
    [{ ...BASE, ALERT_SCANNED_BYTES_PER_USER_HOUR: '100GiB' }, 'ALERT_SCANNED_BYTES_PER_USER_HOUR'],
    [{ ...BASE, ALERT_SLOW_QUERIES_PER_5M: '0' }, 'ALERT_SLOW_QUERIES_PER_5M'],
    [{ ...BASE, ALERT_MEMORY_RATIO: '90' }, 'ALERT_MEMORY_RATIO'],
    [{ ...BASE, ALERT_MEMORY_RATIO: 'high' }, 'ALERT_MEMORY_RATIO'],
  ])('%o is refused naming %s', (env, variable) => {
    let error: unknown;
    try {
      loadAssetsConfig(env as Record<string, string>);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message.startsWith(`${variable}: `)).toBe(true);
  });
});
