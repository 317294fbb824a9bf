import { Injectable } from '@nestjs/common';
import { In, LessThanOrEqual } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { UnitOfWork } from '../database/unit-of-work';
import { ConfigurationService } from '../properties/configuration.service';
import { SecretsService } from '../secrets/secrets.service';
import { AccountCredentialEntity } from './account-credential.entity';
import { ConsoleSessionEntity } from './console-session.entity';
import {
  adminBindingMatches,
  adminBindingOf,
  needsTouch,
  newSessionId,
  sessionEnd,
  sessionIdHash,
  SessionLimits,
  sessionState,
} from './console-session';
import { isRole, Principal } from './roles';

/** Sessions one principal (the admin token, one credential) holds at most; the oldest go. */
export const MAX_SESSIONS_PER_PRINCIPAL = 50;

/** A session that holds: who it is, and when it ends at the latest (epoch ms). */
export interface LiveSession {
  readonly id: string;
  readonly principal: Principal;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/**
 * Operator console sessions (SPEC §17) in the shared database, so that a cookie signed in on
 * one node works on every other, and a sign-out or an expiry holds on all of them at once. A
 * session is looked up by the hash of its id on every use: expired ones (idle, or past the
 * cap) are deleted when met and at each sign-in; an account credential's session ends when
 * the credential is revoked or its account deleted, an admin session when the admin token
 * changes.
 */
@Injectable()
export class ConsoleSessionsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly configuration: ConfigurationService,
    private readonly secrets: SecretsService,
  ) {}

  /** `admin.consoleSessionIdleSeconds` and `…MaxSeconds` as they stand now (GLOBAL). */
  limits(): SessionLimits {
    const values = this.configuration.configuration.app.values;
    return {
      idleSeconds: values['admin.consoleSessionIdleSeconds'],
      maxSeconds: values['admin.consoleSessionMaxSeconds'],
    };
  }

  /** A new session of `principal`; its id goes into the cookie and nowhere else. */
  async signIn(principal: Principal, actor: string): Promise<LiveSession> {
    const id = newSessionId();
    const now = Date.now();
    const limits = this.limits();
    const row: ConsoleSessionEntity = {
      idHash: sessionIdHash(id),
      kind: principal.kind,
      accountId: principal.kind === 'credential' ? principal.accountId : null,
      credentialId: principal.kind === 'credential' ? principal.id : null,
      binding: principal.kind === 'admin' ? adminBindingOf(id, this.secrets.adminToken) : null,
      createdAt: now,
      lastSeenAt: now,
    };
    await this.uow.transaction(async (em) => {
      // Sessions nobody signed out of are swept here rather than by a timer on every node.
      await em.delete(ConsoleSessionEntity, {
        lastSeenAt: LessThanOrEqual(now - limits.idleSeconds * 1000),
      });
      await em.delete(ConsoleSessionEntity, {
        createdAt: LessThanOrEqual(now - limits.maxSeconds * 1000),
      });
      await em.insert(ConsoleSessionEntity, row);
      // A principal holds a bounded number of sessions: a script signing in over and over
      // ends its own oldest ones instead of growing the table.
      const older = await em.find(ConsoleSessionEntity, {
        select: { idHash: true },
        where: row.credentialId === null ? { kind: 'admin' } : { credentialId: row.credentialId },
        order: { createdAt: 'DESC', idHash: 'ASC' },
        skip: MAX_SESSIONS_PER_PRINCIPAL,
      });
      if (older.length > 0) {
        await em.delete(ConsoleSessionEntity, { idHash: In(older.map((o) => o.idHash)) });
      }
      await this.audit.record(em, {
        actor,
        action: 'console.signin',
        accountId: row.accountId,
        target: row.credentialId,
      });
    });
    return { id, principal, createdAt: now, expiresAt: sessionEnd(row, limits) };
  }

  /** The session a cookie's id stands for, or null (unknown, expired, its principal gone). */
  async resolve(id: string): Promise<LiveSession | null> {
    const idHash = sessionIdHash(id);
    const found = await this.uow.read(async (em) => {
      const row = await em.findOneBy(ConsoleSessionEntity, { idHash });
      const credential =
        row?.kind === 'credential' && row.credentialId !== null && row.accountId !== null
          ? await em.findOneBy(AccountCredentialEntity, {
              id: row.credentialId,
              accountId: row.accountId,
            })
          : null;
      return row ? { row, credential } : null;
    });
    if (!found) return null;
    const { row, credential } = found;
    const now = Date.now();
    const limits = this.limits();
    const principal = this.principalOf(id, row, credential);
    if (sessionState(row, now, limits) !== 'live' || principal === null) {
      await this.uow.transaction((em) => em.delete(ConsoleSessionEntity, { idHash }));
      return null;
    }
    if (needsTouch(row, now, limits)) {
      await this.uow.transaction((em) =>
        em.update(ConsoleSessionEntity, { idHash }, { lastSeenAt: now }),
      );
    }
    return { id, principal, createdAt: row.createdAt, expiresAt: sessionEnd(row, limits) };
  }

  /** Ends a session: its row is deleted, so its cookie fails on every node from now on. */
  async signOut(session: LiveSession, actor: string): Promise<void> {
    const { principal } = session;
    await this.uow.transaction(async (em) => {
      await em.delete(ConsoleSessionEntity, { idHash: sessionIdHash(session.id) });
      await this.audit.record(em, {
        actor,
        action: 'console.signout',
        accountId: principal.kind === 'credential' ? principal.accountId : null,
        target: principal.kind === 'credential' ? principal.id : null,
      });
    });
  }

  private principalOf(
    id: string,
    row: ConsoleSessionEntity,
    credential: AccountCredentialEntity | null,
  ): Principal | null {
    if (row.kind === 'admin') {
      return adminBindingMatches(id, this.secrets.adminToken, row.binding)
        ? { kind: 'admin' }
        : null;
    }
    if (row.kind !== 'credential' || !credential || !isRole(credential.role)) return null;
    return {
      kind: 'credential',
      id: credential.id,
      name: credential.name,
      accountId: credential.accountId,
      role: credential.role,
    };
  }
}
