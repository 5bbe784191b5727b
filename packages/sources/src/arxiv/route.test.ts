import { describe, expect, it } from 'vitest';
import { routeUrl } from '../index.js';
import { BASES, LOCAL_BASES } from '../test-support.js';
import { routeDetail } from '../route.js';

const abs = { source: 'arxiv', type: 'arxiv-abs' };
const list = { source: 'arxiv', type: 'arxiv-list' };
const api = { source: 'arxiv', type: 'arxiv-api' };
const oai = { source: 'arxiv', type: 'arxiv-oai' };

describe('routeUrl (arXiv)', () => {
  it.each([
    ['https://arxiv.org/abs/2402.13572', abs],
    ['https://arxiv.org/abs/2402.13572v2', abs],
    ['https://arxiv.org/abs/2402.13572/', abs],
    ['https://arxiv.org/abs/2402.13572?context=cs#top', abs],
    ['https://arxiv.org/abs/0801.1021', abs],
    ['https://arxiv.org/abs/hep-th/9901001', abs],
    ['https://arxiv.org/abs/hep-th/9711200v3', abs],
    ['https://arxiv.org/abs/math.GT/0309136', abs],
    ['https://arxiv.org/abs/hep-th%2F9901001', abs],
    ['https://arxiv.org/list/cs.LG/new', list],
    ['https://arxiv.org/list/cs.LG/recent?skip=50&show=50', list],
    ['https://arxiv.org/list/math.GT/pastweek?show=25', list],
    ['https://arxiv.org/list/cs/current', list],
    ['https://arxiv.org/list/hep-th/1997', list],
    ['https://arxiv.org/list/hep-th/1997-11?skip=200&show=25', list],
    ['https://arxiv.org/list/cond-mat.stat-mech/2024-03', list],
    ['https://arxiv.org/list/physics.pop-ph/new', list],
    ['https://export.arxiv.org/api/query?id_list=2402.13572,hep-th/9901001&max_results=2', api],
    ['https://export.arxiv.org/api/query?search_query=cat:cs.LG&start=0&max_results=100', api],
    ['https://export.arxiv.org/api/query/?search_query=all:electron', api],
    ['https://arxiv.org/oai?verb=ListRecords&metadataPrefix=arXiv&set=cs', oai],
    ['https://arxiv.org/oai2?verb=ListRecords&resumptionToken=abc%7C1001', oai],
    ['http://export.arxiv.org/oai2?verb=ListRecords&metadataPrefix=arXiv', oai], // legacy endpoint, http
    ['https://arxiv.org/oai?verb=ListRecords&metadataPrefix=arXivRaw&set=cs', oai],
    ['https://arxiv.org/oai?verb=GetRecord&identifier=oai:arXiv.org:2402.13572&metadataPrefix=arXivRaw', oai],
  ])('%s', (url, route) => {
    expect(routeUrl(url, BASES)).toEqual(route);
  });

  it.each([
    'https://arxiv.org/abs/', // no id
    'https://arxiv.org/abs/2402.135', // too short
    'https://arxiv.org/abs/2413.13572', // month 13
    'https://arxiv.org/abs/arXiv:2402.13572', // prefixes are not paths arXiv serves
    'https://arxiv.org/abs/2402.13572.pdf',
    'https://arxiv.org/abs/hep-th/990100',
    'https://arxiv.org/abs/hep-th%2', // bad escape
    'https://arxiv.org/pdf/2402.13572',
    'https://arxiv.org/list/cs.LG',
    'https://arxiv.org/list/cs.LG/yesterday',
    'https://arxiv.org/list/cs.LG/2024-13',
    'https://arxiv.org/list/I.2.7/new', // an ACM class is not a listing
    'https://arxiv.org/list/cs.LG/new/extra',
    'https://export.arxiv.org/api/query', // neither id_list nor search_query
    'https://export.arxiv.org/api/query?id_list=&search_query=',
    'https://export.arxiv.org/api/other?id_list=2402.13572',
    'https://arxiv.org/oai?verb=Identify',
    'https://arxiv.org/oai?verb=ListSets',
    'https://arxiv.org/oai?verb=getrecord&identifier=oai:arXiv.org:2402.13572', // verbs are case-sensitive
    'https://arxiv.org/oaipmh?verb=ListRecords',
    'https://oaipmh.arxiv.org/oai?verb=ListRecords&metadataPrefix=arXiv', // host not configured
    'https://example.org/oai?verb=ListRecords',
    'ftp://arxiv.org/abs/2402.13572',
  ])('%s is not ours', (url) => {
    expect(routeUrl(url, BASES)).toBeNull();
  });

  it('recognises OAI-PMH on a configured oaiBaseUrl, with or without a /oai path', () => {
    const bases = { ...BASES, oaiBaseUrl: 'https://oaipmh.arxiv.org/oai' };
    expect(routeUrl('https://oaipmh.arxiv.org/oai?verb=ListRecords&metadataPrefix=arXiv', bases)).toEqual(
      oai,
    );
    const local = { ...LOCAL_BASES, oaiBaseUrl: 'http://127.0.0.1:4570/harvest' };
    expect(routeUrl('http://127.0.0.1:4570/harvest?verb=ListRecords&resumptionToken=x', local)).toEqual(oai);
    expect(routeUrl('http://127.0.0.1:4570/oai2?verb=ListRecords', local)).toEqual(oai);
    expect(routeUrl('http://127.0.0.1:4570/other?verb=ListRecords', local)).toBeNull();
  });

  it('follows custom arXiv bases (a local server standing in for arxiv.org)', () => {
    expect(routeUrl('http://127.0.0.1:4568/abs/2402.13572', LOCAL_BASES)).toEqual(abs);
    expect(routeUrl('http://127.0.0.1:4568/list/cs.LG/new', LOCAL_BASES)).toEqual(list);
    expect(routeUrl('http://127.0.0.1:4569/api/query?id_list=2402.13572', LOCAL_BASES)).toEqual(api);
    expect(routeUrl('http://127.0.0.1:4568/oai?verb=ListRecords', LOCAL_BASES)).toEqual(oai);
    expect(routeUrl('https://arxiv.org/abs/2402.13572', LOCAL_BASES)).toBeNull();
    expect(routeUrl('http://127.0.0.1:4567/abs/2402.13572', LOCAL_BASES)).toBeNull(); // the HF base
  });

  it('routes HF and arXiv bases that share an origin by their paths', () => {
    const shared = {
      hfBaseUrl: 'http://127.0.0.1:8080',
      arxivBaseUrl: 'http://127.0.0.1:8080/arxiv',
      arxivApiUrl: 'http://127.0.0.1:8080/arxiv-api/query',
    };
    expect(routeUrl('http://127.0.0.1:8080/papers/2402.13572', shared)).toEqual({
      source: 'hf',
      type: 'hf-paper',
    });
    expect(routeUrl('http://127.0.0.1:8080/arxiv/abs/2402.13572', shared)).toEqual(abs);
    expect(routeUrl('http://127.0.0.1:8080/arxiv-api/query?id_list=2402.13572', shared)).toEqual(api);
  });

  it('keeps the id, version and listing of a route for the parsers', () => {
    expect(routeDetail('https://arxiv.org/abs/math.GT/0309136v2', BASES)).toMatchObject({
      paperId: 'math/0309136',
      version: 2,
    });
    expect(routeDetail('https://arxiv.org/abs/2402.13572', BASES)?.version).toBeUndefined();
    expect(routeDetail('https://arxiv.org/list/cs.LG/recent?skip=50', BASES)?.listing).toEqual({
      context: 'cs.LG',
      period: 'recent',
    });
  });
});
