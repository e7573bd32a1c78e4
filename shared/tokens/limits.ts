/** The token rules a person sees (pure, no imports): the admin API enforces them, the console shows them. */

/** At most this many valid (Active) SCIM tokens at once: one in use, and its replacement during a rotation. */
export const MAX_TOKENS = 2;
export const MAX_TOKEN_NAME_LENGTH = 100;
