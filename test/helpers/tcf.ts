/**
 * TC strings for tests, encoded by the IAB Tech Lab's own library (@iabtechlabtcf/core) with a
 * small Global Vendor List built here (no network): the purposes 1–11 and the vendors asked for.
 */
import {
  GVL,
  PurposeRestriction,
  RestrictionType,
  Segment,
  TCModel,
  TCString,
} from '@iabtechlabtcf/core';

export interface TcOptions {
  /** Purposes consented (default: none). */
  readonly purposes?: readonly number[];
  /** Vendors with consent. */
  readonly vendors?: readonly number[];
  /** The disclosed-vendors segment (TCF v2.3); omitted when undefined. */
  readonly disclosed?: readonly number[];
  /** Policy version: 4 (v2.2) or 5 (v2.3, the default). */
  readonly policyVersion?: number;
  /** Publisher restrictions: [vendor, purpose, type]. */
  readonly restrictions?: ReadonlyArray<readonly [number, number, RestrictionType]>;
}

export const TEST_VENDORS = [42, 755, 1000] as const;

function gvl(policyVersion: number): GVL {
  const purposes = Object.fromEntries(
    Array.from({ length: 11 }, (_, i) => [
      i + 1,
      { id: i + 1, name: `purpose ${i + 1}`, description: '', illustrations: [] },
    ]),
  );
  const vendors = Object.fromEntries(
    TEST_VENDORS.map((id) => [
      id,
      {
        id,
        name: `vendor ${id}`,
        purposes: [1, 2, 3, 4, 7],
        legIntPurposes: [],
        flexiblePurposes: [1, 2, 3, 4, 7],
        specialPurposes: [],
        features: [],
        specialFeatures: [],
        policyUrl: 'https://vendor.test/privacy',
      },
    ]),
  );
  return new GVL({
    gvlSpecificationVersion: 3,
    vendorListVersion: 100,
    tcfPolicyVersion: policyVersion,
    lastUpdated: '2026-01-01T00:00:00Z',
    purposes,
    specialPurposes: {},
    features: {},
    specialFeatures: {},
    vendors,
    stacks: {},
    dataCategories: {},
  } as never);
}

/** A TC string (version 2) with the given consents. */
export function tcString(options: TcOptions = {}): string {
  const policyVersion = options.policyVersion ?? 5;
  const model = new TCModel(gvl(policyVersion));
  model.cmpId = 10;
  model.cmpVersion = 1;
  model.policyVersion = policyVersion;
  model.purposeConsents.set([...(options.purposes ?? [])]);
  model.vendorConsents.set([...(options.vendors ?? [])]);
  for (const [vendor, purpose, type] of options.restrictions ?? []) {
    model.publisherRestrictions.add(vendor, new PurposeRestriction(purpose, type));
  }
  const segments = [Segment.CORE];
  if (options.disclosed) {
    model.vendorsDisclosed.set([...options.disclosed]);
    segments.push(Segment.VENDORS_DISCLOSED);
  }
  return TCString.encode(model, { segments });
}
