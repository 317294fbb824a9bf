import { convertValue, describeDatabase } from './database-copy';
import { parseDatabaseUrl } from '../properties/property-values';

describe(convertValue.name, () => {
  it.each<[unknown, Parameters<typeof convertValue>[1], 'sqlite' | 'postgres', unknown]>([
    // Timestamps travel as `YYYY-MM-DD HH:MM:SS.SSS` (TypeORM's SQLite format, PostgreSQL reads it).
    ['2026-12-01 09:05:57', 'time', 'postgres', '2026-12-01 09:05:57.000'],
    ['2026-12-01 09:05:57.123456', 'time', 'sqlite', '2026-12-01 09:05:57.123'],
    ['2026-12-01 09:05:57.1', 'time', 'sqlite', '2026-12-01 09:05:57.100'],
    ['2026-12-01T09:05:57.123Z', 'time', 'sqlite', '2026-12-01 09:05:57.123'],
    ['2026-12-01 10:05:57.123+01', 'time', 'sqlite', '2026-12-01 09:05:57.123'],
    [new Date('2026-12-01T09:05:57.123Z'), 'time', 'sqlite', '2026-12-01 09:05:57.123'],
    ['not a time', 'time', 'sqlite', 'not a time'],
    // PostgreSQL answers bigints as text: numbers for SQLite, as they are for PostgreSQL.
    ['1767225600000', 'integer', 'sqlite', 1767225600000],
    ['1767225600000', 'integer', 'postgres', '1767225600000'],
    ['99999999999999999999', 'integer', 'sqlite', '99999999999999999999'],
    [7, 'integer', 'postgres', 7],
    [1, 'boolean', 'postgres', true],
    [0, 'boolean', 'postgres', false],
    [true, 'boolean', 'sqlite', 1],
    ['f', 'boolean', 'sqlite', 0],
    [null, 'time', 'sqlite', null],
    [undefined, 'other', 'postgres', null],
    ["it's text", 'other', 'postgres', "it's text"],
  ])('%j as %s for %s → %j', (value, kind, target, expected) => {
    expect(convertValue(value, kind, target)).toEqual(expected);
  });
});

describe(describeDatabase.name, () => {
  it.each([
    [
      'postgres://pantry:s3cret@db.internal:5432/pantry?sslmode=require',
      /^postgres:\/\/pantry@db\.internal:5432\/pantry$/,
    ],
    ['sqlite:data/pantry.sqlite', /^sqlite:data\/pantry\.sqlite$/],
  ])('%s is named without a password', (raw, shown) => {
    const text = describeDatabase(parseDatabaseUrl(raw));
    expect(text).toMatch(shown);
    expect(text).not.toContain('s3cret');
  });
});
