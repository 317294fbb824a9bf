import { IsBoolean } from 'class-validator';

export class ConsentDto {
  /** true grants consent to identity cookies; false revokes it and deletes them. */
  @IsBoolean()
  granted!: boolean;

  /**
   * The snippet's own body, `{"granted":true|false}`, recognised without class-validator (a
   * few microseconds per consent call): narrower than the decorators, so anything else still
   * goes through them and gets their errors.
   */
  static accepts(body: object): body is ConsentDto {
    const keys = Object.keys(body);
    return (
      keys.length === 1 &&
      keys[0] === 'granted' &&
      typeof (body as { granted?: unknown }).granted === 'boolean'
    );
  }
}
