import { Global, Module } from '@nestjs/common';
import { AccessLogService } from './access-log';

/**
 * The access log (server.accessLog): written where requests are answered, on every path.
 * Global, as logging is: every route writes to it.
 */
@Global()
@Module({ providers: [AccessLogService], exports: [AccessLogService] })
export class AccessLogModule {}
