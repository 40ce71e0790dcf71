import { describe, expect, it } from 'vitest';
import { InflationLimit, defaultMaxInflatedBytes } from '../../src/archive/inflation-limit.ts';
import { ValidationError } from '../../src/errors.ts';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

describe('defaultMaxInflatedBytes', () => {
  it('is 16× the archive, and at least 1 GiB', () => {
    expect(defaultMaxInflatedBytes(6_000_000)).toBe(GIB);
    expect(defaultMaxInflatedBytes(64 * MIB)).toBe(GIB);
    expect(defaultMaxInflatedBytes(3_980_563_622)).toBe(16 * 3_980_563_622);
  });
});

describe('InflationLimit', () => {
  it('lets the archive inflate to exactly its limit, and names the setting one byte past it', () => {
    const limit = new InflationLimit(4 * MIB);
    expect(limit.inflated(3 * MIB)).toBeUndefined();
    expect(limit.inflated(MIB)).toBeUndefined();
    const error = limit.inflated(1);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error?.message).toBe(
      'The model archive inflates to more than the 4.00 MiB (4194304 bytes) that `max-inflated-bytes` (RIVA_STAGE_MAX_INFLATED_BYTES) ' +
        "allows (default: the larger of 16× the archive's size and 1 GiB). Raise the limit only for an archive known to be genuine.",
    );
  });

  it('checks a claimed size against what is left from where the chunk declaring it starts', () => {
    const limit = new InflationLimit(4 * MIB);
    expect(limit.claimed('m/a.riva', 4 * MIB)).toBeUndefined();
    limit.inflated(3 * MIB);
    // The entry's header is somewhere in the chunk that starts at 0: 4 MiB may still fit.
    expect(limit.claimed('m/b.riva', 4 * MIB)).toBeUndefined();
    limit.inflated(512 * 1024);
    // Declared in the chunk starting at 3 MiB: only 1 MiB is left.
    expect(limit.claimed('m/b.riva', MIB)).toBeUndefined();
    expect(limit.claimed('m/b.riva', MIB + 1)?.message).toBe(
      'The archive entry "m/b.riva" claims 1.00 MiB (1048577 bytes), more than the 1.00 MiB (1048576 bytes) left of the 4.00 MiB (4194304 bytes) ' +
        "that `max-inflated-bytes` (RIVA_STAGE_MAX_INFLATED_BYTES) allows (default: the larger of 16× the archive's size and 1 GiB). " +
        'Raise the limit only for an archive known to be genuine.',
    );
  });

  it('refuses a PAX header\'s claim of 2 TiB under the default limit', () => {
    expect(new InflationLimit(defaultMaxInflatedBytes(1_500_000)).claimed('m/huge.riva', 2 * 1024 ** 4)?.message).toContain(
      'claims 2.00 TiB (2199023255552 bytes), more than the 1.00 GiB (1073741824 bytes) that `max-inflated-bytes`',
    );
  });
});
