import { AuditEntryEntity } from './audit/audit-entry.entity';
import { AuthSessionEntity, CustomerLinkEntity } from './auth/auth.entities';
import { BridgeLinkEntity } from './bridge/bridge-link.entity';
import { BridgeRedemptionEntity } from './bridge/bridge-redemption.entity';
import { OneTimeTokenEntity } from './database/one-time-token.entity';
import { HealthProbeEntity } from './health/health-probe.entity';
import { KeptCookieEntity } from './keeper/kept-cookie.entity';
import { ErasedIdEntity } from './registry/erased-id.entity';
import { VisitorEntity } from './registry/visitor.entity';
import { AccountEntity } from './tenants/account.entity';
import { ApiKeyEntity } from './tenants/api-key.entity';
import { PropertyOverrideEntity } from './tenants/property-override.entity';

/**
 * Every feature's entities, for a DataSource opened outside the application (tests reading
 * what a stopped server wrote). The application itself loads each feature's own list
 * (TypeOrmModule.forFeature in the feature's module); the database layer knows none.
 */
export const ENTITIES = [
  AccountEntity,
  ApiKeyEntity,
  PropertyOverrideEntity,
  VisitorEntity,
  ErasedIdEntity,
  AuditEntryEntity,
  HealthProbeEntity,
  OneTimeTokenEntity,
  BridgeRedemptionEntity,
  BridgeLinkEntity,
  AuthSessionEntity,
  CustomerLinkEntity,
  KeptCookieEntity,
];
