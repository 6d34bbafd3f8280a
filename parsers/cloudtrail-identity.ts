import { asObject, text, type JsonObject } from './cloudtrail-json';

/**
 * CloudTrail `userIdentity` -> `aws.cloudtrail.user_identity.*` and `user.name`, for every
 * identity type (IAMUser, AssumedRole, FederatedUser, AWSService, IdentityCenterUser,
 * Root, and the rarer ones, which keep whatever members they carry).
 */

export interface UserIdentityFields {
  type?: string;
  arn?: string;
  principal_id?: string;
  account_id?: string;
  access_key_id?: string;
  invoked_by?: string;
  session_name?: string;
  identity_center_user_id?: string;
}

export interface IdentityResult {
  readonly identity: UserIdentityFields;
  /** `user.name` per schema.md. */
  readonly userName?: string;
}

/** Reads `userIdentity` (any shape; a non-object gives nothing). */
export function readUserIdentity(value: unknown): IdentityResult {
  const identity = asObject(value);
  if (identity === undefined) return { identity: {} };
  const arn = text(identity.arn);
  const type = text(identity.type);
  const fields: UserIdentityFields = {
    type,
    arn,
    principal_id: text(identity.principalId),
    account_id: text(identity.accountId),
    access_key_id: text(identity.accessKeyId),
    invoked_by: text(identity.invokedBy),
    session_name: arn === undefined ? undefined : sessionNameFromArn(arn),
    identity_center_user_id: text(asObject(identity.onBehalfOf)?.userId),
  };
  return { identity: fields, userName: userNameOf(identity, type, arn) };
}

/**
 * `user.name`: the IAM user's name, else the issuer of an assumed-role or federated
 * session (`sessionContext.sessionIssuer.userName`, the role name for a role).
 */
function userNameOf(identity: JsonObject, type: string | undefined, arn: string | undefined): string | undefined {
  const own = text(identity.userName);
  if (own !== undefined) return own;
  const issuer = text(asObject(asObject(identity.sessionContext)?.sessionIssuer)?.userName);
  if (issuer !== undefined) return issuer;
  // Some producers drop sessionContext; the role name is also in the session's ARN.
  if (type === 'AssumedRole' && arn !== undefined) return resourceParts(arn, 'assumed-role/')?.[0];
  if (type === 'IAMUser' && arn !== undefined) return lastSegment(resourceParts(arn, 'user/'));
  return undefined;
}

/** `…:assumed-role/<role>/<session>` -> `<session>`; `…:federated-user/<name>` -> `<name>`. */
export function sessionNameFromArn(arn: string): string | undefined {
  const assumed = resourceParts(arn, 'assumed-role/');
  if (assumed !== undefined) return assumed.length >= 2 ? nonEmpty(assumed.slice(1).join('/')) : undefined;
  const federated = resourceParts(arn, 'federated-user/');
  return federated === undefined ? undefined : nonEmpty(federated.join('/'));
}

/** The `/`-separated resource of an ARN whose resource starts with `prefix`. */
function resourceParts(arn: string, prefix: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const resource = parts.slice(5).join(':');
  return resource.startsWith(prefix) ? resource.slice(prefix.length).split('/') : undefined;
}

function lastSegment(parts: string[] | undefined): string | undefined {
  return parts === undefined ? undefined : nonEmpty(parts[parts.length - 1] ?? '');
}

function nonEmpty(value: string): string | undefined {
  return value === '' ? undefined : value;
}
