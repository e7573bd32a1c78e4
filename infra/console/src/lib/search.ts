/** The search boxes' text as SCIM filters (RFC 7644 section 3.4.2.2): what the admin API's views take. */

/** A SCIM string literal: JSON's escaping (quotes and backslashes), as the filter grammar defines it. */
export const literal = (text: string): string => JSON.stringify(text);

/** Users whose userName, name or e-mail address contains the text; with `active` only those. */
export function userFilter(text: string, active?: boolean): string | undefined {
  const q = text.trim();
  const parts: string[] = [];
  if (q !== '') {
    const v = literal(q);
    parts.push(
      `(userName co ${v} or displayName co ${v} or name.formatted co ${v} or name.givenName co ${v} or name.familyName co ${v} or emails.value co ${v})`,
    );
  }
  if (active !== undefined) parts.push(`active eq ${active}`);
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

/** Groups whose name contains the text. */
export function groupFilter(text: string): string | undefined {
  const q = text.trim();
  return q === '' ? undefined : `displayName co ${literal(q)}`;
}
