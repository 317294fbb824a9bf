/** A visitor id linked to a customer, with when it was last seen logged in. */
export interface Link {
  readonly visitorId: string;
  readonly lastSeen: number;
}

export interface LoginInput {
  readonly customerId: string;
  /** The visitor's anonymous-person id on this device. */
  readonly visitorId: string;
  /** The customer that id is linked to already, if any. */
  readonly visitorOwner: string | null;
  /** The customer's current links. */
  readonly customerLinks: readonly Link[];
  /** `authentication.maxLinkedVisitors`. */
  readonly maxLinks: number;
  readonly newId: () => string;
}

interface LoginLinks {
  /** The anonymous id to carry from now on: the visitor's, or a fresh one. */
  readonly visitorId: string;
  /** A fresh id was issued: the device's id belongs to another customer. */
  readonly fresh: boolean;
  /** Links to remove: the least recently seen beyond the cap. */
  readonly unlink: readonly string[];
}

/**
 * The linking rules of a login (SPEC §11), pure: the visitor's anonymous id is linked to the
 * customer; an id already linked to a *different* customer is never re-linked (two known
 * customers are never merged: the new customer gets a fresh anonymous id); a customer keeps at
 * most `maxLinks` ids, the least recently seen unlinked first.
 */
export function decideLoginLinks(input: LoginInput): LoginLinks {
  const taken = input.visitorOwner !== null && input.visitorOwner !== input.customerId;
  const visitorId = taken ? input.newId() : input.visitorId;
  const others = input.customerLinks
    .filter((l) => l.visitorId !== visitorId)
    .sort((a, b) => b.lastSeen - a.lastSeen || (a.visitorId < b.visitorId ? -1 : 1));
  return {
    visitorId,
    fresh: taken,
    unlink: others.slice(Math.max(0, input.maxLinks - 1)).map((l) => l.visitorId),
  };
}
