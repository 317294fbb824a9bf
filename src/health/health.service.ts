import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';
import { PantryException } from '../common/pantry.exception';

export interface HealthStatus {
  status: 'ok';
  database: 'ok';
  accounts: number;
  uptimeSeconds: number;
}

/** Healthy once the configuration is loaded (it is, or the server would not run) and the database answers. */
@Injectable()
export class HealthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
  ) {}

  async check(): Promise<HealthStatus> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      throw new PantryException(
        HttpStatus.SERVICE_UNAVAILABLE,
        'database_unavailable',
        'The database does not answer.',
      );
    }
    return {
      status: 'ok',
      database: 'ok',
      accounts: this.accounts.count(),
      uptimeSeconds: Math.round(process.uptime()),
    };
  }
}
