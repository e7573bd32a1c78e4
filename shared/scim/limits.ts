/** Limits the service advertises (in /ResourceTypes and the README) and enforces. */

/**
 * A group with more members than this is returned without `members`: a full member list would
 * outgrow Lambda's 6 MB response limit (about 150 bytes a member). Membership of one user is
 * still answered by `GET /Groups?filter=members[value eq "<user id>"]` and by the user's `groups`.
 */
export const MAX_MEMBERS_RETURNED = 10_000;
