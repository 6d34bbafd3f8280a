import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../pipeline/errors';
import type { Env } from '../pipeline/config';

/** Names the Secrets Manager secret whose string is the Slack / webhook URL. */
export const WEBHOOK_SECRET_VARIABLE = 'ALERT_WEBHOOK_SECRET_ARN';

/**
 * The environment with `ALERT_WEBHOOK_URL` read at run time from the secret named by
 * `ALERT_WEBHOOK_SECRET_ARN`, so the URL is in neither the template nor the function's
 * configuration. Without that variable the environment is returned as it is.
 */
export async function withWebhookSecret(env: Env, client: () => SecretsManagerClient): Promise<Env> {
  const secretId = env[WEBHOOK_SECRET_VARIABLE]?.trim();
  if (!secretId) return env;
  const response = await client().send(new GetSecretValueCommand({ SecretId: secretId }));
  const url = response.SecretString?.trim();
  if (!url) throw new ConfigError(WEBHOOK_SECRET_VARIABLE, `secret ${secretId} has no string value (store the webhook URL as plain text)`);
  return { ...env, ALERT_WEBHOOK_URL: url };
}
