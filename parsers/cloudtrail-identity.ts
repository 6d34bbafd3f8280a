import { addDefined, asObject, text, type JsonObject } from './cloudtrail-json';

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

/** Reads `userIdentity` (any shape; a non-object gives nothing). Absent values are left out. */
export function readUserIdentity(value: unknown): IdentityResult {
  const identity = asObject(value);
  if (identity === undefined) return { identity: {} };
  const arn = text(identity.arn);
  const type = text(identity.type);
  const fields: JsonObject = {};
  addDefined(fields, 'type', type);
  addDefined(fields, 'arn', arn);
  addDefined(fields, 'principal_id', text(identity.principalId));
  addDefined(fields, 'account_id', text(identity.accountId));
  addDefined(fields, 'access_key_id', text(identity.accessKeyId));
  addDefined(fields, 'invoked_by', text(identity.invokedBy));
  addDefined(fields, 'session_name', arn === undefined ? undefined : sessionNameFromArn(arn));
  addDefined(fields, 'identity_center_user_id', text(asObject(identity.onBehalfOf)?.userId));
  return { identity: fields as UserIdentityFields, userName: userNameOf(identity, type, arn) };
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
  if (type === 'AssumedRole' && arn !== undefined) {
    const path = resourceAfter(arn, 'assumed-role/');
    return path === undefined ? undefined : beforeSlash(path);
  }
  if (type === 'IAMUser' && arn !== undefined) {
    const path = resourceAfter(arn, 'user/');
    return path === undefined ? undefined : nonEmpty(path.slice(path.lastIndexOf('/') + 1));
  }
  return undefined;
}

/** `…:assumed-role/<role>/<session>` -> `<session>`; `…:federated-user/<name>` -> `<name>`. */
export function sessionNameFromArn(arn: string): string | undefined {
  const assumed = resourceAfter(arn, 'assumed-role/');
  if (assumed !== undefined) {
    const slash = assumed.indexOf('/');
    return slash === -1 ? undefined : nonEmpty(assumed.slice(slash + 1));
  }
  const federated = resourceAfter(arn, 'federated-user/');
  return federated === undefined ? undefined : nonEmpty(federated);
}

/**
 * What follows `prefix` in an ARN (`arn:<partition>:<service>:<region>:<account>:<resource>`)
 * whose resource starts with `prefix`. Found with `indexOf`, without splitting the ARN.
 */
function resourceAfter(arn: string, prefix: string): string | undefined {
  if (!arn.startsWith('arn:')) return undefined;
  // The resource follows the fifth colon; the first is at 3.
  let colon = 3;
  for (let count = 2; count <= 5; count += 1) {
    colon = arn.indexOf(':', colon + 1);
    if (colon === -1) return undefined;
  }
  return arn.startsWith(prefix, colon + 1) ? arn.slice(colon + 1 + prefix.length) : undefined;
}

/** The path up to its first `/` (the whole path when it has none). */
function beforeSlash(path: string): string {
  const slash = path.indexOf('/');
  return slash === -1 ? path : path.slice(0, slash);
}

function nonEmpty(value: string): string | undefined {
  return value === '' ? undefined : value;
}
