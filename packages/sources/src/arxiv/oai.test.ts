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
    });
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
      /record\[0\] has no arXiv metadata \(metadataPrefix=arXiv expected\)/,
    );
  });

  it.each([
    ['an Atom feed', '<feed xmlns="http://www.w3.org/2005/Atom"></feed>', /no <OAI-PMH> root/],
    [
      'an Identify response',
      '<OAI-PMH><Identify><repositoryName>arXiv</repositoryName></Identify></OAI-PMH>',
      /no <ListRecords> element/,
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
