/** The admin API's answers as the console reads them (the server's DTOs are in src/admin/dto). */

export interface Account {
  id: string;
  name: string;
  source: 'file' | 'api';
  file?: string;
  apiKeys: ApiKey[];
}

export interface ApiKey {
  key: string;
  source: 'file' | 'api';
  createdAt: string | null;
}

export interface Property {
  key: string;
  value: string;
  source: 'default' | 'global' | 'file' | 'api';
  scope: 'IMMUTABLE' | 'GLOBAL' | 'ACCOUNT';
  effectiveValue?: string;
  note?: string;
}

export interface Diagnosis {
  account: string;
  page: string;
  server: string;
  mode: string;
  corsCookieMode: string;
  lifetimeDays: number | null;
  verdict: string;
  reasons: { code: string; message: string }[];
  keeper: { cookies: string[]; keeps: boolean; message: string };
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  accountId: string | null;
  target: string | null;
  details: Record<string, unknown> | null;
}

export interface ReloadSummary {
  status: string;
  accounts: number;
  added: string[];
  removed: string[];
  restartRequired: string[];
}

export interface Credential {
  id: string;
  name: string;
  role: string;
  createdAt: string;
  /** In the answer to its creation only. */
  token?: string;
}
