/** The token rules and view a person sees (pure): the admin API enforces and answers them, the console shows them. */
import type { TokenStatus } from './expiry';

/** At most this many valid (Active) SCIM tokens at once: one in use, and its replacement during a rotation. */
export const MAX_TOKENS = 2;
export const MAX_TOKEN_NAME_LENGTH = 100;

/** A token as the admin API lists it: never its value (only a hash is kept). */
export interface TokenView {
  id: string;
  name: string;
  hint: string;
  createdAt: string;
  expiresAt: string;
  /** yyyy-MM-dd, UTC. */
  expiresOn: string;
  status: TokenStatus;
  lastUsedAt: string | null;
}
