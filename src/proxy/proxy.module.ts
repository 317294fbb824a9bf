import { Module } from '@nestjs/common';
import { VisitorModule } from '../visitor/visitor.module';
import { DocumentProxy } from './document-proxy';

/** Document mode: Pantry as the reverse proxy in front of an account's site. */
@Module({ imports: [VisitorModule], providers: [DocumentProxy] })
export class ProxyModule {}
