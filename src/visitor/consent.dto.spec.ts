import fc from 'fast-check';
import { validateBody } from '../http/validate-body';
import { ConsentDto } from './consent.dto';

describe(ConsentDto.name, () => {
  it.each([
    [{ granted: true }, true],
    [{ granted: false }, true],
    [{ granted: 'true' }, false],
    [{ granted: true, extra: 1 }, false],
    [{}, false],
    [{ Granted: true }, false],
  ])('accepts %j without the decorators: %s', (body, quick) => {
    expect(ConsentDto.accepts(body)).toBe(quick);
  });

  it('accepts nothing the decorators would refuse', () => {
    // The same decorators (inherited), without the quick check.
    const decoratorsOnly = class extends ConsentDto {};
    Object.defineProperty(decoratorsOnly, 'accepts', { value: undefined });
    let quick = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ granted: fc.boolean() }),
          fc.dictionary(
            fc.constantFrom('granted', 'x', 'constructor'),
            fc.oneof(fc.boolean(), fc.anything()),
          ),
        ),
        (body) => {
          if (!ConsentDto.accepts(body)) return;
          quick++;
          expect(() => validateBody(decoratorsOnly, body)).not.toThrow();
        },
      ),
      { numRuns: 500 },
    );
    expect(quick).toBeGreaterThan(10);
  });
});
