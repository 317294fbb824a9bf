/**
 * `bridge.partners` (SPEC §13): a token issued by account `issuer` redeems on account `here`
 * when both are the same account, or when each lists the other (mutual opt-in, read from one
 * tenant snapshot). `partnersOf` answers null for an account that does not exist.
 */
export function acceptsBridgeFrom(
  here: string,
  issuer: string,
  partnersOf: (accountId: string) => readonly string[] | null,
): boolean {
  if (here === issuer) return true;
  const ours = partnersOf(here);
  const theirs = partnersOf(issuer);
  return ours !== null && theirs !== null && ours.includes(issuer) && theirs.includes(here);
}
