import { Controller, Get, Header, Headers, HttpCode } from '@nestjs/common';
import { DemoService } from './demo.service';

/** The demo shop at `/`, served when an account named `demo` is configured. */
@Controller()
export class DemoController {
  constructor(private readonly demo: DemoService) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  page(@Headers('host') host: string | undefined): string {
    return this.demo.page(host);
  }

  /** Browsers ask for it on every demo page load; nothing to show. */
  @Get('favicon.ico')
  @HttpCode(204)
  favicon(): void {}
}
