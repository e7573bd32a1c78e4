/** Admin roles (Cognito groups). Only these may use the provisioning admin API. */
export const DEFAULT_ADMIN_ROLES = ['Owner', 'SystemAdmin'] as const;

/**
 * The roles in a Cognito `cognito:groups` claim as API Gateway hands it to the function:
 * a string, comma- or space-separated, sometimes in brackets ("[Owner, SystemAdmin]"), or an array.
 */
export function rolesFromClaim(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.map(String).filter(Boolean);
  if (typeof claim !== 'string') return [];
  return claim
    .replace(/^\[|\]$/g, '')
    .split(/[,\s]+/)
    .map((r) => r.trim())
    .filter(Boolean);
}

export function mayManageProvisioning(roles: readonly string[], allowed: readonly string[]): boolean {
  return roles.some((r) => allowed.includes(r));
}
