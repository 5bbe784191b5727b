import { ParseError, PaperCandidateSchema } from '@paperline/contracts';
import { describe, expect, it } from 'vitest';
import { parsePage, routeUrl, type ParsedPage } from '../index.js';
import { BASES, FETCHED_AT, arxivFixture, page } from '../test-support.js';

const OAI = 'https://oaipmh.arxiv.org/oai';
const OAI_BASES = { ...BASES, oaiBaseUrl: OAI };
const ARXIV = 'https://arxiv.org';

function parseOai(query: string, body: string): ParsedPage {
  const url = `${OAI}?${query}`;
  const r = parsePage(page(url, body, url, 'text/xml'), OAI_BASES);
  expect(r.route).toEqual({ source: 'arxiv', type: 'arxiv-oai' });
  for (const c of r.candidates) expect(PaperCandidateSchema.safeParse(c).success).toBe(true);
  return r;
}

describe('OAI-PMH ListRecords page with a resumption token (oai-listrecords-cs-2024-03-21.xml)', () => {
  const query = 'verb=ListRecords&metadataPrefix=arXiv&set=cs&from=2024-03-21&until=2024-03-21';
  const r = parseOai(query, arxivFixture('oai-listrecords-cs-2024-03-21.xml'));

  it('turns records into candidates and deleted records into withdrawnIds', () => {
    expect(r.candidates.map((c) => c.arxivId)).toEqual(['2402.13572', '2403.13187', 'cs/9901001']);
    expect(r.withdrawnIds).toEqual(['2403.11111']);
  });

  it('reads a record: "Forenames Keyname", categories, created as the v1 date', () => {
    expect(r.candidates[1]).toEqual({
      source: 'arxiv',
      url: `${OAI}?${query}`,
      fetchedAt: FETCHED_AT,
      parserVersion: 'arxiv-2',
      arxivId: '2403.13187',
      title: 'Evolutionary Optimization of Model Merging Recipes',
      abstract:
        'We present a novel application of evolutionary algorithms to automate the creation of powerful foundation models. Code: https://github.com/SakanaAI/evolutionary-model-merge',
      authors: ['Takuya Akiba', 'Makoto Shing', 'Yujin Tang', 'Qi Sun', 'David Ha'],
      authorCount: 5,
      publishedAt: '2024-03-19T00:00:00.000Z',
      categories: ['cs.NE'],
      codeUrls: ['https://github.com/SakanaAI/evolutionary-model-merge'],
      links: { abs: `${ARXIV}/abs/2403.13187`, pdf: `${ARXIV}/pdf/2403.13187` },
      withdrawn: false,
      license: 'http://creativecommons.org/licenses/by/4.0/',
    });
    expect(r.candidates[0]?.categories).toEqual(['cs.LG', 'cs.AI', 'cs.CL', 'math.NA']);
    expect(r.candidates[0]?.authors.at(6)).toBe('Michael K. Ng');
  });

  it('reads suffixes, collaborations, TeX, the DOI and a withdrawal comment', () => {
    expect(r.candidates[2]).toMatchObject({
      arxivId: 'cs/9901001',
      title: 'Termination Proofs for Logic Programs with Tabling: A 25% Faster Analysis',
      authors: ['John Smith Jr', 'María García', 'The Example Collaboration'],
      categories: ['cs.LO', 'cs.PL'],
      doi: '10.1016/s0743-1066(99)00012-3',
      publishedAt: '1999-01-04T00:00:00.000Z',
      withdrawn: true,
      comments: 'This paper has been withdrawn by the authors; superseded by cs/9902005',
      journalRef: 'J. Logic Programming 41 (1999) 1-30',
      license: 'http://arxiv.org/licenses/nonexclusive-distrib/1.0/',
    });
    expect(r.candidates[2]).not.toHaveProperty('versions'); // the arXiv format lists none
  });

  it('links to the next page with only the verb and the (encoded) token', () => {
    expect(r.links).toEqual([
      `${OAI}?verb=ListRecords&resumptionToken=eyJzZXQiOiJjcyIsImZyb20iOiIyMDI0LTAzLTIxIn0%3D%7C1001`,
    ]);
    expect(routeUrl(r.links[0] ?? '', OAI_BASES)).toEqual({ source: 'arxiv', type: 'arxiv-oai' });
  });
});

describe('OAI-PMH last page (oai-listrecords-last.xml)', () => {
  const r = parseOai('verb=ListRecords&resumptionToken=x%7C4001', arxivFixture('oai-listrecords-last.xml'));

  it('has no next page when the token element is empty', () => {
    expect(r.candidates.map((c) => c.arxivId)).toEqual(['2403.14608']);
    expect(r.links).toEqual([]);
  });

  it('reports deleted old-style ids normalized', () => {
    expect(r.withdrawnIds).toEqual(['math/0309136']);
  });
});

describe('OAI-PMH ListRecords in the arXivRaw format (oai-listrecords-arxivraw.xml)', () => {
  const query = 'verb=ListRecords&metadataPrefix=arXivRaw&set=cs&from=2025-01-28';
  const r = parseOai(query, arxivFixture('oai-listrecords-arxivraw.xml'));

  it('reads every record, deleted ones into withdrawnIds, and links to the next page', () => {
    expect(r.candidates.map((c) => c.arxivId)).toEqual(['2403.13187', 'hep-th/9711200', '2403.99990']);
    expect(r.withdrawnIds).toEqual(['2403.11111']);
    expect(r.links).toEqual([`${OAI}?verb=ListRecords&resumptionToken=6961877%7C1001`]);
  });

  it('reads a record: versions with dates and sizes, the v1 date, licence, journal ref, comments', () => {
    expect(r.candidates[0]).toEqual({
      source: 'arxiv',
      url: `${OAI}?${query}`,
      fetchedAt: FETCHED_AT,
      parserVersion: 'arxiv-2',
      arxivId: '2403.13187',
      arxivVersion: 3,
      doi: '10.1038/s42256-024-00975-8',
      title: 'Evolutionary Optimization of Model Merging Recipes',
      abstract:
        'We present a novel application of evolutionary algorithms to automate the creation of powerful foundation models. Code: https://github.com/SakanaAI/evolutionary-model-merge',
      authors: ['Takuya Akiba', 'Makoto Shing', 'Yujin Tang', 'Qi Sun', 'David Ha'],
      authorCount: 5,
      publishedAt: '2024-03-19T22:56:53.000Z',
      categories: ['cs.NE'],
      codeUrls: ['https://github.com/SakanaAI/evolutionary-model-merge'],
      links: { abs: `${ARXIV}/abs/2403.13187`, pdf: `${ARXIV}/pdf/2403.13187` },
      withdrawn: false,
      versions: [
        { version: 1, submittedAt: '2024-03-19T22:56:53.000Z', sizeKb: 11524 },
        { version: 2, submittedAt: '2024-09-12T03:31:08.000Z', sizeKb: 11530 },
        { version: 3, submittedAt: '2025-01-28T07:45:12.000Z', sizeKb: 11531 },
      ],
      license: 'http://creativecommons.org/licenses/by/4.0/',
      journalRef: 'Nature Machine Intelligence 7, 195-204 (2025)',
      comments: 'Published in Nature Machine Intelligence',
    });
  });

  it('agrees with the abstract page on the fields both give', () => {
    const abs = parsePage(page(`${ARXIV}/abs/2403.13187`, arxivFixture('abs-2403.13187.html')), OAI_BASES)
      .candidates[0];
    const raw = r.candidates[0];
    for (const f of [
      'versions',
      'license',
      'journalRef',
      'comments',
      'arxivVersion',
      'publishedAt',
      'doi',
    ] as const)
      expect(raw?.[f], f).toEqual(abs?.[f]);
  });

  it('puts versions listed out of order in order, and unwraps comments', () => {
    const old = r.candidates[1];
    expect(old?.versions?.map((v) => v.version)).toEqual([1, 2, 3]);
    expect(old?.publishedAt).toBe('1997-11-27T20:42:06.000Z');
    expect(old?.arxivVersion).toBe(3);
    expect(old?.comments).not.toMatch(/\n|\s{2}/);
    expect(old?.license).toBe('http://arxiv.org/licenses/assumed-1991-2003/');
  });

  it('splits the author string without affiliations, and leaves out what it cannot read', () => {
    const odd = r.candidates[2];
    expect(odd?.authors).toEqual(['Ana Méndez', 'Bo Chen', 'The Example Collaboration']);
    expect(odd?.versions).toEqual([{ version: 1, submittedAt: '2024-03-25T10:00:00.000Z' }]);
    expect(odd).not.toHaveProperty('license'); // "CC BY 4.0" is not a URL
    expect(odd).not.toHaveProperty('journalRef');
    expect(odd).not.toHaveProperty('comments');
  });

  it('keeps a record with no version elements, without versions or a date', () => {
    const body = arxivFixture('oai-listrecords-arxivraw.xml').replace(/<version [\s\S]*?<\/version>/g, '');
    const c = parseOai(query, body).candidates[0];
    expect(c).not.toHaveProperty('versions');
    expect(c).not.toHaveProperty('publishedAt');
    expect(c).not.toHaveProperty('arxivVersion');
  });
});

describe('OAI-PMH GetRecord (oai-getrecord-arxiv.xml)', () => {
  const query = 'verb=GetRecord&identifier=oai:arXiv.org:0806.4129&metadataPrefix=arXiv';

  it('reads the one record like a ListRecords record', () => {
    const r = parseOai(query, arxivFixture('oai-getrecord-arxiv.xml'));
    expect(r.links).toEqual([]);
    expect(r.candidates).toHaveLength(1);
    expect(r.candidates[0]).toMatchObject({
      arxivId: '0806.4129',
      authors: ['Roldao da Rocha', 'Waldyr A. Rodrigues Jr'],
      categories: ['math-ph', 'math.MP'],
      publishedAt: '2008-06-25T00:00:00.000Z',
      doi: '10.1063/1.3536454',
      journalRef: 'AIP Conf.Proc.1316:466-477,2010',
      comments: '15 pages. This version corrects some misprints of the published version',
      license: 'http://arxiv.org/licenses/nonexclusive-distrib/1.0/',
    });
  });

  it('reports a deleted record in withdrawnIds', () => {
    const deleted = `<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><GetRecord><record>
      <header status="deleted"><identifier>oai:arXiv.org:0806.4129</identifier><datestamp>2025-01-01</datestamp></header>
      </record></GetRecord></OAI-PMH>`;
    const r = parseOai(query, deleted);
    expect(r.candidates).toEqual([]);
    expect(r.withdrawnIds).toEqual(['0806.4129']);
  });

  it('throws ParseError naming idDoesNotExist', () => {
    const url = `${OAI}?${query}`;
    const body = `<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="idDoesNotExist">Value of the identifier argument is unknown</error></OAI-PMH>`;
    expect(() => parsePage(page(url, body), OAI_BASES)).toThrow(
      new ParseError(url, 'OAI-PMH error idDoesNotExist: Value of the identifier argument is unknown', {
        source: 'arxiv',
      }),
    );
  });
});

describe('OAI-PMH errors', () => {
  it('reads noRecordsMatch as an empty page (oai-norecordsmatch.xml)', () => {
    const r = parseOai(
      'verb=ListRecords&metadataPrefix=arXiv&set=cs&from=2024-03-23',
      arxivFixture('oai-norecordsmatch.xml'),
    );
    expect(r).toEqual({ route: { source: 'arxiv', type: 'arxiv-oai' }, candidates: [], links: [] });
  });

  it('throws ParseError naming any other error code (oai-badresumptiontoken.xml)', () => {
    const url = `${OAI}?verb=ListRecords&resumptionToken=expired`;
    expect(() => parsePage(page(url, arxivFixture('oai-badresumptiontoken.xml')), OAI_BASES)).toThrow(
      new ParseError(
        url,
        'OAI-PMH error badResumptionToken: The value of the resumptionToken argument is invalid or expired.',
        { source: 'arxiv' },
      ),
    );
  });

  it('throws ParseError for records in another metadata format', () => {
    const dc = arxivFixture('oai-listrecords-last.xml').replace(
      /<arXiv [\s\S]*<\/arXiv>/,
      '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"><dc:title xmlns:dc="http://purl.org/dc/elements/1.1/">T</dc:title></oai_dc:dc>',
    );
    expect(() => parsePage(page(`${OAI}?verb=ListRecords&metadataPrefix=oai_dc`, dc), OAI_BASES)).toThrow(
      /record\[0\] has no arXiv metadata \(metadataPrefix=arXiv or arXivRaw expected\)/,
    );
  });

  it.each([
    ['an Atom feed', '<feed xmlns="http://www.w3.org/2005/Atom"></feed>', /no <OAI-PMH> root/],
    [
      'an Identify response',
      '<OAI-PMH><Identify><repositoryName>arXiv</repositoryName></Identify></OAI-PMH>',
      /no <ListRecords> or <GetRecord> element/,
    ],
    ['a 503 page', '<html><body>Retry later</body></html>', /no <OAI-PMH> root/],
    [
      'a deleted record without identifier',
      '<OAI-PMH><ListRecords><record><header status="deleted"/></record></ListRecords></OAI-PMH>',
      /record\[0\] \(deleted\) has no arXiv identifier/,
    ],
  ])('throws ParseError for %s', (_, body, message) => {
    const url = `${OAI}?verb=ListRecords&metadataPrefix=arXiv`;
    expect(() => parsePage(page(url, body), OAI_BASES)).toThrow(message);
  });
});
