import { AccountCredentialEntity } from '../../src/access/account-credential.entity';
import { ConsoleSessionEntity } from '../../src/access/console-session.entity';
import { AuditEntryEntity } from '../../src/audit/audit-entry.entity';
import { AuthSessionEntity, CustomerLinkEntity } from '../../src/auth/auth.entities';
import { BridgeLinkEntity } from '../../src/bridge/bridge-link.entity';
import { BridgeRedemptionEntity } from '../../src/bridge/bridge-redemption.entity';
import { OneTimeTokenEntity } from '../../src/database/one-time-token.entity';
import { HealthProbeEntity } from '../../src/health/health-probe.entity';
import { KeptCookieEntity } from '../../src/keeper/kept-cookie.entity';
import { ErasedIdEntity } from '../../src/registry/erased-id.entity';
import { VisitorEntity } from '../../src/registry/visitor.entity';
import { AccountEntity } from '../../src/tenants/account.entity';
import { ApiKeyEntity } from '../../src/tenants/api-key.entity';
import { PropertyOverrideEntity } from '../../src/tenants/property-override.entity';

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
  AccountCredentialEntity,
  ConsoleSessionEntity,
];
