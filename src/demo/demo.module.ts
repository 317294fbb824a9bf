import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { DemoController } from './demo.controller';
import { DemoService } from './demo.service';

@Module({ imports: [TenantsModule], controllers: [DemoController], providers: [DemoService] })
export class DemoModule {}
