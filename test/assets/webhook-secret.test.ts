import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadAssetsConfig } from '../../functions/assets/config';
import { withWebhookSecret } from '../../functions/assets/webhook-secret';
import { ConfigError } from '../../functions/pipeline/errors';

const secrets = mockClient(SecretsManagerClient);
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-webhook-AbCdEf';
const client = () => new SecretsManagerClient({ region: 'eu-west-1' });
const BASE = { OPENSEARCH_ENDPOINT: 'https://search-logs.eu-west-1.es.amazonaws.com', ALERT_CHANNEL: 'slack' };

beforeEach(() => secrets.reset());

describe('the assets read the webhook URL from Secrets Manager at run time', () => {
  it('puts the secret\'s string into ALERT_WEBHOOK_URL, which the assets configuration then accepts', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: 'https://hooks.slack.com/services/T000/B000/XXXX\n' });
    const env = await withWebhookSecret({ ...BASE, ALERT_WEBHOOK_SECRET_ARN: SECRET_ARN }, client);
    expect(env.ALERT_WEBHOOK_URL).toBe('https://hooks.slack.com/services/T000/B000/XXXX');
    expect(loadAssetsConfig(env).alerts).toMatchObject({ channel: 'slack', webhookUrl: 'https://hooks.slack.com/services/T000/B000/XXXX' });
  });

  it('names the variable when the secret holds no string', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1]) });
    await expect(withWebhookSecret({ ...BASE, ALERT_WEBHOOK_SECRET_ARN: SECRET_ARN }, client)).rejects.toThrowError(ConfigError);
    await expect(withWebhookSecret({ ...BASE, ALERT_WEBHOOK_SECRET_ARN: SECRET_ARN }, client)).rejects.toThrow(/^ALERT_WEBHOOK_SECRET_ARN: secret .* has no string value/);
  });

  it('calls nothing without a secret variable', async () => {
    const env = { ...BASE, ALERT_CHANNEL: 'none' };
    await expect(withWebhookSecret(env, client)).resolves.toBe(env);
    expect(secrets.calls()).toHaveLength(0);
  });
});
