import { describe, expect, it } from 'vitest';
import { PaperlineError } from '@paperline/contracts';
import { formatCursor, parseCursor } from './change-feed.js';

describe('change-feed cursors', () => {
  it('none, empty and 0 are the beginning of the feed', () => {
    for (const c of [undefined, '', '0']) expect(parseCursor(c)).toEqual({ epoch: '', id: '0-0' });
  });

  it('are the epoch and a stream id, and read back as written', () => {
    const c = formatCursor('1796534207225123', '1796534207300-2');
    expect(c).toBe('1796534207225123:1796534207300-2');
    expect(parseCursor(c)).toEqual({ epoch: '1796534207225123', id: '1796534207300-2' });
    expect(formatCursor('', '0-0')).toBe('0');
  });

  it('refuses anything else with FEED_CURSOR_INVALID naming after', () => {
    const long = '9'.repeat(16);
    for (const bad of [
      '1796534207225-3',
      'abc:1-0',
      '17:1',
      '17:-1',
      `17:${long}-0`,
      `17:1-${long}`,
      ' 0',
      '17:',
    ]) {
      let err: unknown;
      try {
        parseCursor(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(PaperlineError);
      expect((err as PaperlineError).code).toBe('FEED_CURSOR_INVALID');
      expect((err as PaperlineError).message).toMatch(/^after: /);
    }
  });
});
