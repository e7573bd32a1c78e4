/**
 * Admin roles (Cognito groups). Only these may use the provisioning admin API, and a role is
 * granted only by an exact group name: a group named "Viewer,Owner", "[Owner]", "Product Owner"
 * or "SystemAdmin Viewer" grants nothing.
 */
import { decodeJwt } from 'jose';

export const DEFAULT_ADMIN_ROLES = ['Owner', 'SystemAdmin'] as const;

/** Characters a configured admin group name may not hold: API Gateway joins and brackets group lists with them. */
export const GROUP_NAME_SEPARATORS = /[,[\]\s"]/;

/** Refuses (at synth and at cold start) an admin group name that a flattened claim could fake. */
export function checkGroupName(name: string): string {
  if (name === '' || GROUP_NAME_SEPARATORS.test(name)) {
    throw new Error(`Admin group name ${JSON.stringify(name)} must be non-empty, without commas, brackets, quotes or white space`);
  }
  return name;
}

/** The configured admin roles (ADMIN_ROLES: comma-separated, each name checked). */
export function configuredRoles(value: string | undefined): string[] {
  return value === undefined || value === '' ? [...DEFAULT_ADMIN_ROLES] : value.split(',').map(checkGroupName);
}

/**
 * The groups of the signed-in administrator, element by element: read from the ID token itself
 * (its `cognito:groups` array), not from the claims API Gateway's Cognito authorizer hands on, where
 * the list is flattened into one string that a group name holding a separator could split. The token
 * is the one the authorizer verified (same Authorization header); its `sub` must be the verified
 * claims' `sub`, else no role at all.
 */
export function rolesFromVerifiedToken(authorization: string | undefined, verifiedSub: unknown): string[] {
  const token = authorization?.replace(/^Bearer\s+/i, '').trim();
  if (!token || typeof verifiedSub !== 'string') return [];
  let payload: Record<string, unknown>;
  try {
    payload = decodeJwt(token);
  } catch {
    return [];
  }
  const groups = payload['cognito:groups'];
  if (payload.sub !== verifiedSub || !Array.isArray(groups)) return [];
  return groups.filter((g): g is string => typeof g === 'string');
}

/** Exact, element-by-element membership: a role is granted only by a group of exactly that name. */
export function mayManageProvisioning(roles: readonly string[], allowed: readonly string[]): boolean {
  return roles.some((r) => allowed.includes(r));
}
