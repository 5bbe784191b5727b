const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';

// The three forms RFC 9110 §5.6.7 says a recipient must accept, all in UTC ("GMT"):
/** `Sun, 06 Nov 1994 08:49:37 GMT` */
const IMF_FIXDATE = new RegExp(
  `^(?:mon|tue|wed|thu|fri|sat|sun), (\\d{1,2}) ${MONTH} (\\d{4}) ${TIME} GMT$`,
  'i',
);
/** `Sunday, 06-Nov-94 08:49:37 GMT` (obsolete) */
const RFC_850 = new RegExp(
  `^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday), (\\d{1,2})-${MONTH}-(\\d{2}) ${TIME} GMT$`,
  'i',
);
/** `Sun Nov  6 08:49:37 1994` (obsolete: C's asctime(), which is UTC here though it says no zone) */
const ASCTIME = new RegExp(`^(?:mon|tue|wed|thu|fri|sat|sun) ${MONTH} ( ?\\d{1,2}) ${TIME} (\\d{4})$`, 'i');

/**
 * Parses an HTTP-date in any of its three forms (IMF-fixdate, RFC 850, asctime) as UTC, whatever
 * the process's time zone. Returns ms since the epoch, or undefined when `text` is none of them
 * or names a day that does not exist.
 *
 * @param now - ms since the epoch; an RFC 850 two-digit year is the one in the century that puts
 *   the date at most 50 years after `now` (RFC 9110). @defaultValue `Date.now()`
 */
export function parseHttpDate(text: string, now: number = Date.now()): number | undefined {
  let m = IMF_FIXDATE.exec(text);
  if (m) return utc(Number(m[3]), m[2]!, Number(m[1]), m.slice(4, 7));
  m = ASCTIME.exec(text);
  if (m) return utc(Number(m[6]), m[1]!, Number(m[2]), m.slice(3, 6));
  m = RFC_850.exec(text);
  if (m) return utc(fullYear(Number(m[3]), now), m[2]!, Number(m[1]), m.slice(4, 7));
  return undefined;
}

function fullYear(twoDigits: number, now: number): number {
  const thisYear = new Date(now).getUTCFullYear();
  const year = thisYear - (thisYear % 100) + twoDigits;
  return year > thisYear + 50 ? year - 100 : year;
}

function utc(year: number, month: string, day: number, hms: string[]): number | undefined {
  const [h, min, s] = hms.map(Number) as [number, number, number];
  const monthIndex = MONTHS.indexOf(month.toLowerCase());
  if (h > 23 || min > 59 || s > 60) return undefined;
  const at = Date.UTC(year, monthIndex, day, h, min, Math.min(s, 59));
  // Date.UTC rolls 31 Feb over into March: such a day does not exist.
  return new Date(at).getUTCDate() === day ? at : undefined;
}
