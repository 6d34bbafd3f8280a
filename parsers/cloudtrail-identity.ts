import { addDefined, asObject, text, type JsonObject } from './cloudtrail-json';

/**
 * CloudTrail `userIdentity` -> `aws.cloudtrail.user_identity.*`, `user.name` and `user.roles`, for every
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
  /** `user.name` per schema.md: the person when CloudTrail identifies one, else the principal. */
  readonly userName?: string;
  /** `user.roles`: the role of a role session. */
  readonly roles?: readonly string[];
  /** `aws.cloudtrail.user_identity.person`: whether `userName` names a person. */
  readonly person?: boolean;
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
  const sessionName = arn === undefined ? undefined : sessionNameFromArn(arn);
  addDefined(fields, 'session_name', sessionName);
  addDefined(fields, 'identity_center_user_id', text(asObject(identity.onBehalfOf)?.userId));
  const role = roleOf(identity, type, arn);
  const who = whoIs(identity, type, arn, role, sessionName);
  return {
    identity: fields as UserIdentityFields,
    ...(who !== undefined && { userName: who.name, person: who.person }),
    ...(role !== undefined && { roles: [role] }),
  };
}

/** Identity Center permission sets make roles named so; their session name is the sign-in name. */
const IDENTITY_CENTER_ROLE_PREFIX = 'AWSReservedSSO_';

/**
 * `user.name` and whether it is a person (schema.md): the person when CloudTrail names
 * one, else the role, the service or `root`. A session name is taken as a person only
 * when the session comes from a sign-in (Identity Center, SAML or web-identity
 * federation): other role sessions are named by software (an EC2 instance id, a random
 * token, a pipeline's label), so they are counted under their role.
 */
function whoIs(
  identity: JsonObject,
  type: string | undefined,
  arn: string | undefined,
  role: string | undefined,
  sessionName: string | undefined,
): { name: string; person: boolean } | undefined {
  // Trusted identity propagation: the role acts for an Identity Center user.
  const onBehalfOf = text(asObject(identity.onBehalfOf)?.userId);
  if (onBehalfOf !== undefined) return { name: onBehalfOf, person: true };
  const context = asObject(identity.sessionContext);
  const sourceIdentity = text(context?.sourceIdentity);
  if (sourceIdentity !== undefined) return { name: sourceIdentity, person: true };
  switch (type) {
    case 'Root':
      return { name: 'root', person: false };
    case 'AWSService': {
      const service = text(identity.invokedBy);
      return service === undefined ? undefined : { name: service, person: false };
    }
    case 'FederatedUser':
      if (sessionName !== undefined) return { name: sessionName, person: true };
      break;
    case 'IAMUser':
    case 'SAMLUser':
    case 'WebIdentityUser': {
      const own = text(identity.userName) ?? (arn === undefined ? undefined : iamUserFromArn(arn));
      return own === undefined ? undefined : { name: own, person: true };
    }
    default:
      break;
  }
  if (role !== undefined) {
    const federated = text(asObject(context?.webIdFederationData)?.federatedProvider) !== undefined;
    if (sessionName !== undefined && (role.startsWith(IDENTITY_CENTER_ROLE_PREFIX) || federated)) {
      return { name: sessionName, person: true };
    }
    return { name: role, person: false };
  }
  const own = text(identity.userName);
  return own === undefined ? undefined : { name: own, person: false };
}

/**
 * The role of a role session: the session issuer when it is a role, else the role in an
 * `assumed-role/` ARN (some producers drop `sessionContext`).
 */
function roleOf(identity: JsonObject, type: string | undefined, arn: string | undefined): string | undefined {
  const issuer = asObject(asObject(identity.sessionContext)?.sessionIssuer);
  if (text(issuer?.type) === 'Role') {
    const name = text(issuer?.userName);
    if (name !== undefined) return name;
  }
  if (arn !== undefined && (type === 'AssumedRole' || type === undefined || text(issuer?.type) === 'Role')) {
    const path = resourceAfter(arn, 'assumed-role/');
    if (path !== undefined) return nonEmpty(beforeSlash(path));
  }
  return undefined;
}

/** `…:user/<path>/<name>` -> `<name>`. */
function iamUserFromArn(arn: string): string | undefined {
  const path = resourceAfter(arn, 'user/');
  return path === undefined ? undefined : nonEmpty(path.slice(path.lastIndexOf('/') + 1));
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
