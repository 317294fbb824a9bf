import { ConsoleLogger } from '@nestjs/common';

/** A Nest logger at every level that keeps what it prints, to grep for leaks. */
export class CaptureLogger extends ConsoleLogger {
  readonly lines: string[] = [];

  constructor() {
    super('Test', { logLevels: ['log', 'error', 'warn', 'debug', 'verbose', 'fatal'] });
  }

  protected override printMessages(
    messages: unknown[],
    context = '',
    logLevel: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal' = 'log',
  ): void {
    for (const m of messages) {
      this.lines.push(`${logLevel} [${context}] ${m instanceof Error ? m.stack : String(m)}`);
    }
  }

  protected override printStackTrace(stack: string): void {
    this.lines.push(stack);
  }

  get text(): string {
    return this.lines.join('\n');
  }
}
