/**
 * When two unique names (userName, a group's displayName) are the same name: compared after
 * Unicode NFC normalisation, trimming and case folding, so that "Alice", "alice " and the NFD
 * form of "Alicé" cannot be told apart by a person reading them, and cannot both exist.
 * The name is stored exactly as sent; only the uniqueness key is normalised.
 */
export function uniqueNameKey(name: string): string {
  return name.normalize('NFC').trim().toLowerCase();
}
