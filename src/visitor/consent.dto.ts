import { IsBoolean } from 'class-validator';

export class ConsentDto {
  /** true grants consent to identity cookies; false revokes it and deletes them. */
  @IsBoolean()
  granted!: boolean;
}
