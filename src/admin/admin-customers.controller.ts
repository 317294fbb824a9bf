import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { Access } from './admin-access';
import { AdminActor } from './admin-actor.decorator';
import { AdminApi } from './admin-api.decorator';
import { AccountIdPipe, CustomerIdPipe } from './admin.pipes';
import { AdminService } from './admin.service';
import { ErrorDto } from './dto/audit.dto';

class LinkedVisitorDto {
  @ApiProperty()
  visitorId!: string;

  @ApiProperty({ example: '2026-11-22T10:00:00.000Z' })
  linkedAt!: string;

  @ApiProperty({ example: '2026-11-22T10:05:00.000Z' })
  lastSeen!: string;
}

class CustomerDto {
  @ApiProperty({ example: 'customer-42' })
  customerId!: string;

  @ApiProperty({ type: [LinkedVisitorDto] })
  visitors!: LinkedVisitorDto[];

  @ApiProperty({ description: 'Live login sessions' })
  sessions!: number;
}

@ApiTags('customers')
@AdminApi()
@ApiNotFoundResponse({ type: ErrorDto, description: 'No such account, or no such customer in it' })
@Controller('admin/v1/accounts/:id/customers')
export class AdminCustomersController {
  constructor(private readonly admin: AdminService) {}

  @Get(':customerId')
  @Access.account('owner', 'privacy', 'reader', 'backend')
  @ApiOperation({ summary: "A customer's linked anonymous visitors and live sessions" })
  @ApiOkResponse({ type: CustomerDto })
  get(
    @Param('id', AccountIdPipe) id: string,
    @Param('customerId', CustomerIdPipe) customerId: string,
  ) {
    return this.admin.getCustomer(id, customerId);
  }

  @Delete(':customerId')
  @Access.account('owner', 'privacy')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Erase a customer: every linked visitor erased, every session revoked, links removed',
  })
  @ApiNoContentResponse()
  async erase(
    @AdminActor() actor: string,
    @Param('id', AccountIdPipe) id: string,
    @Param('customerId', CustomerIdPipe) customerId: string,
  ) {
    await this.admin.eraseCustomer(actor, id, customerId);
  }
}
