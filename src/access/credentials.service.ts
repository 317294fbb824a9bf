import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, PantryError } from '../common/errors';
import { UnitOfWork } from '../database/unit-of-work';
import { AccountCredentialEntity } from './account-credential.entity';
import { isRole, Principal, Role } from './roles';

/** Every credential token starts so (SPEC §19): scanners and people can tell what it is. */
export const TOKEN_PREFIX = 'pty_';
/** Random bytes in a token (SPEC §19: at least 32). */
const TOKEN_BYTES = 32;
/** A token as issued: the prefix and 43 base64url characters. */
const TOKEN = /^pty_[A-Za-z0-9_-]{43}$/;
/** Credentials one account may hold. */
export const MAX_CREDENTIALS = 100;

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/** What the API shows of a credential (never its token, never its hash). */
export interface CredentialView {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
}

const view = (row: AccountCredentialEntity): CredentialView => ({
  id: row.id,
  name: row.name,
  role: row.role as Role,
  createdAt: new Date(row.createdAt).toISOString(),
});

/**
 * Account credentials (SPEC §19) in the shared database: created with a token shown once and
 * stored only as its SHA-256 (a 256-bit random token needs no slow hash: nothing to guess from
 * the digest), listed, revoked. A presented token is looked up by its digest on every admin
 * request, so a revocation holds on every node as soon as it commits; the digests are compared
 * again in constant time.
 */
@Injectable()
export class CredentialsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
  ) {}

  /** The principal a `pty_` token stands for, or null (unknown, revoked, malformed). */
  async authenticate(token: string): Promise<Principal | null> {
    // Hashed whatever its shape, so that a malformed token takes as long as a wrong one.
    const digest = hashOf(token);
    if (!TOKEN.test(token)) return null;
    const row = await this.uow.read((em) =>
      em.findOneBy(AccountCredentialEntity, { tokenHash: digest.toString('hex') }),
    );
    if (!row || !isRole(row.role)) return null;
    if (!timingSafeEqual(Buffer.from(row.tokenHash, 'hex'), digest)) return null;
    return {
      kind: 'credential',
      id: row.id,
      name: row.name,
      accountId: row.accountId,
      role: row.role,
    };
  }

  async list(accountId: string): Promise<CredentialView[]> {
    const rows = await this.uow.read((em) =>
      em.find(AccountCredentialEntity, {
        where: { accountId },
        order: { createdAt: 'ASC', id: 'ASC' },
      }),
    );
    return rows.map(view);
  }

  /** Creates a credential; the answer is the only place its token ever appears. */
  async create(
    actor: string,
    accountId: string,
    name: string,
    role: Role,
  ): Promise<CredentialView & { token: string }> {
    const token = `${TOKEN_PREFIX}${randomBytes(TOKEN_BYTES).toString('base64url')}`;
    const row: AccountCredentialEntity = {
      id: `cred_${randomBytes(12).toString('base64url')}`,
      accountId,
      name,
      role,
      tokenHash: hashOf(token).toString('hex'),
      createdAt: Date.now(),
    };
    await this.uow.transaction(async (em) => {
      // Two creations at once (on two nodes) must not both count MAX_CREDENTIALS - 1.
      await this.uow.exclusive(em, `credentials:${accountId}`);
      const held = await em.countBy(AccountCredentialEntity, { accountId });
      if (held >= MAX_CREDENTIALS) {
        throw new PantryError(
          ErrorCode.BadRequest,
          `Account "${accountId}" holds ${MAX_CREDENTIALS} credentials already; revoke one first.`,
        );
      }
      await em.insert(AccountCredentialEntity, row);
      await this.audit.record(em, {
        actor,
        action: 'credential.create',
        accountId,
        target: row.id,
        details: { name, role },
      });
    });
    return { ...view(row), token };
  }

  /** Revokes a credential: deleted, so it fails on every node from the commit on. */
  async revoke(actor: string, accountId: string, id: string): Promise<void> {
    await this.uow.transaction(async (em) => {
      const row = await em.findOneBy(AccountCredentialEntity, { accountId, id });
      if (!row) {
        throw new PantryError(
          ErrorCode.CredentialNotFound,
          `Account "${accountId}" has no credential "${id}".`,
        );
      }
      await em.delete(AccountCredentialEntity, { accountId, id });
      await this.audit.record(em, {
        actor,
        action: 'credential.revoke',
        accountId,
        target: id,
        details: { name: row.name, role: row.role },
      });
    });
  }
}
