import { ApiProperty } from '@nestjs/swagger';

export class StatusAverageDto {
  @ApiProperty({ description: 'Seconds averaged (fewer than asked while the node is younger)' })
  seconds!: number;

  @ApiProperty({ description: 'Answers per second' })
  requests!: number;

  @ApiProperty({ description: 'Answers 400–499 per second (refused)' })
  refusals!: number;

  @ApiProperty({ description: 'Answers 500 and above per second' })
  errors!: number;
}

export class StatusSecondDto {
  @ApiProperty({ example: '2026-12-01T15:00:00.000Z' })
  at!: string;

  @ApiProperty()
  requests!: number;

  @ApiProperty()
  refusals!: number;

  @ApiProperty()
  errors!: number;
}

export class StatusDto {
  @ApiProperty({
    description:
      'What /health/ready answers: configuration loaded, database reachable, notifications heard',
  })
  ready!: boolean;

  @ApiProperty({ type: [String], description: 'Why not ready' })
  problems!: string[];

  @ApiProperty({ example: '0.1.0' })
  version!: string;

  @ApiProperty()
  uptimeSeconds!: number;

  @ApiProperty({ description: 'false while server.metricsEnabled=false: nothing is counted' })
  counting!: boolean;

  @ApiProperty({ type: [StatusAverageDto], description: 'Over the last minute, and the last five' })
  averages!: StatusAverageDto[];

  @ApiProperty({
    type: [StatusSecondDto],
    description: 'This node’s answers, each complete second of the last five minutes, oldest first',
  })
  perSecond!: StatusSecondDto[];
}
