/**
 * fast-check arbitraries for arXiv pages and feeds (used by `parse.property.test.ts`; not exported
 * from the package): random export API feeds and OAI-PMH pages in both namespace styles, and
 * structural mutations of real fixtures (text and attribute values swapped, tags dropped).
 */
import fc from 'fast-check';

/** Text that is sometimes XML-escaped and sometimes not (raw `<`/`&` make the XML ill-formed). */
const text: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.constantFrom('', ' ', '2402.13572', 'hep-th/9901001v2', 'cs.LG', '68T05', 'I.2.7', '10.1000/x'),
      fc.constantFrom(
        'Schr\\"odinger $O(n^2)$ \\url{https://github.com/a/b\\_c}',
        'withdrawn',
        '\n  wrapped\n  ',
      ),
    ),
    fc.boolean(),
  )
  .map(([s, escape]) =>
    escape ? s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;') : s,
  );

/** An entry id as the API writes them (valid, versioned, old-style, error, empty, junk). */
const entryId = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'http://arxiv.org/abs/2402.13572v1',
      'https://arxiv.org/abs/2403.13187',
      'http://arxiv.org/abs/hep-th/9711200v3',
      'http://arxiv.org/api/errors#incorrect_id_format_for_1234.12345',
      '',
    ),
    weight: 5,
  },
  { arbitrary: text, weight: 1 },
);

const apiEntry = fc.record({
  id: fc.option(entryId, { nil: undefined }),
  title: fc.option(text, { nil: undefined }),
  summary: text,
  published: fc.constantFrom(
    '2024-02-21T07:07:54Z',
    '2007-10-08T00:00:00-04:00',
    '',
    'garbage',
    '9999-99-99',
  ),
  authors: fc.array(text, { maxLength: 3 }),
  terms: fc.array(text, { maxLength: 3 }),
  doi: fc.option(text, { nil: undefined }),
  comment: fc.option(text, { nil: undefined }),
  legacy: fc.boolean(),
});

const ARXIV_NS = 'xmlns:arxiv="http://arxiv.org/schemas/atom"';

/** An export API feed of random entries, each in the current or the legacy namespace style. */
export const apiFeed: fc.Arbitrary<string> = fc.array(apiEntry, { maxLength: 4 }).map((entries) => {
  const body = entries.map((e) => {
    const ns = e.legacy ? ` ${ARXIV_NS}` : '';
    return [
      '<entry>',
      e.id === undefined ? '' : `<id>${e.id}</id>`,
      e.title === undefined ? '' : `<title>${e.title}</title>`,
      `<summary>${e.summary}</summary><published>${e.published}</published>`,
      ...e.authors.map((a) => `<author><name>${a}</name></author>`),
      ...e.terms.map((t, i) =>
        i === 0 ? `<arxiv:primary_category${ns} term="${t}"/>` : `<category term="${t}"/>`,
      ),
      e.doi === undefined ? '' : `<arxiv:doi${ns}>${e.doi}</arxiv:doi>`,
      e.comment === undefined ? '' : `<arxiv:comment${ns}>${e.comment}</arxiv:comment>`,
      '</entry>',
    ].join('');
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" ${ARXIV_NS}>${body.join('\n')}</feed>`;
});

const oaiRecord = fc.record({
  deleted: fc.boolean(),
  identifier: fc.oneof(
    { arbitrary: fc.constantFrom('oai:arXiv.org:2401.00001', 'oai:arXiv.org:math/0309136'), weight: 5 },
    { arbitrary: text, weight: 1 },
  ),
  id: fc.option(
    fc.oneof(
      { arbitrary: fc.constantFrom('2401.00001', 'cs/9901001'), weight: 5 },
      { arbitrary: text, weight: 1 },
    ),
    { nil: undefined },
  ),
  title: fc.option(text, { nil: undefined }),
  authors: fc.array(fc.tuple(text, fc.option(text, { nil: undefined })), { maxLength: 3 }),
  categories: text,
  created: fc.constantFrom('2024-01-05', '', 'not a date', '2024-02-30'),
  abstract: text,
});

/** An OAI-PMH ListRecords page (or error) of random records and token. */
export const oaiPage: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(oaiRecord, { maxLength: 4 }),
    fc.option(text, { nil: undefined }),
    fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 5 },
      { arbitrary: fc.constantFrom('noRecordsMatch', 'badArgument', ''), weight: 1 },
    ),
  )
  .map(([records, token, error]) => {
    const rec = records.map((r) => {
      const header = `<header${r.deleted ? ' status="deleted"' : ''}><identifier>${r.identifier}</identifier></header>`;
      if (r.deleted) return `<record>${header}</record>`;
      const authors = r.authors
        .map(
          ([k, f]) =>
            `<author><keyname>${k}</keyname>${f === undefined ? '' : `<forenames>${f}</forenames>`}</author>`,
        )
        .join('');
      return `<record>${header}<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/">${r.id === undefined ? '' : `<id>${r.id}</id>`}<created>${r.created}</created><authors>${authors}</authors>${r.title === undefined ? '' : `<title>${r.title}</title>`}<categories>${r.categories}</categories><abstract>${r.abstract}</abstract></arXiv></metadata></record>`;
    });
    const inner =
      error === undefined
        ? `<ListRecords>${rec.join('')}${token === undefined ? '' : `<resumptionToken>${token}</resumptionToken>`}</ListRecords>`
        : `<error code="${error}">message</error>`;
    return `<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">${inner}</OAI-PMH>`;
  });

/** One structural change to an HTML or XML page. */
export interface Mutation {
  kind: 'text' | 'attribute' | 'drop-tag';
  /** Which occurrence (modulo their count). */
  n: number;
  replacement: string;
}

/** A random {@link Mutation}. */
export const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('text', 'attribute', 'drop-tag'),
  n: fc.nat(),
  replacement: text,
});

const PATTERNS: Readonly<Record<Mutation['kind'], RegExp>> = {
  text: />([^<]+)</g,
  attribute: /="([^"]*)"/g,
  'drop-tag': /<\/?[A-Za-z][^>]*>/g,
};

/** Applies a mutation: the n-th text node or attribute value replaced, or the n-th tag removed. */
export function mutate(page: string, m: Mutation): string {
  const matches = [...page.matchAll(PATTERNS[m.kind])];
  if (matches.length === 0) return page;
  const hit = matches[m.n % matches.length];
  if (hit?.index === undefined) return page;
  const start = hit.index;
  const end = start + hit[0].length;
  const replaced =
    m.kind === 'text' ? `>${m.replacement}<` : m.kind === 'attribute' ? `="${m.replacement}"` : '';
  return page.slice(0, start) + replaced + page.slice(end);
}
