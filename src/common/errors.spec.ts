import { ErrorCode, ERROR_STATUS, PantryError } from './errors';

describe('ErrorCode and ERROR_STATUS', () => {
  it.each(Object.values(ErrorCode))('%s has an error status', (code) => {
    expect(ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
    expect(ERROR_STATUS[code]).toBeLessThan(600);
  });

  it('has no code twice', () => {
    const codes = Object.values(ErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('a PantryError is an Error with its code, message and details, and no HTTP in it', () => {
    const e = new PantryError(ErrorCode.InvalidConfiguration, 'bad', { problems: [] });
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({
      name: 'PantryError',
      code: 'invalid_configuration',
      message: 'bad',
      details: { problems: [] },
    });
    expect(Object.getPrototypeOf(PantryError.prototype)).toBe(Error.prototype);
  });
});
