import { CookiePlan } from '../cookies/cookie-plan';

/** The account a visitor request is for, resolved once from its API key. */
export interface VisitorAccount {
  readonly accountId: string;
  readonly apiKey: string;
  readonly plan: CookiePlan;
}
