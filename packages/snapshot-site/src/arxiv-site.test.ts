import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotArxivTruth } from './arxiv-data.js';
import { snapshotTruth, startSnapshotSite } from './server.js';
import type { SnapshotSite } from './server.js';

const HTML = 'text/html; charset=utf-8';
const ATOM = 'application/atom+xml; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';
const truth = snapshotArxivTruth();
let site: SnapshotSite;

beforeAll(async () => {
  site = await startSnapshotSite();
});
afterAll(async () => {
  await site.close();
});

const get = (path: string, init?: RequestInit): Promise<Response> =>
  fetch(`${site.arxivBaseUrl}${path}`, { redirect: 'manual', ...init });
const api = (query: string): Promise<Response> => fetch(`${site.arxivApiUrl}?${query}`);

/** Undoes the entities the stand-in writes (`&amp;` last). */
function decode(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The `<entry>` elements of a feed, each with its id, title and summary decoded. */
function entries(xml: string): Array<{ id: string; title: string; summary: string; xml: string }> {
  return [...xml.matchAll(/<entry>([\s\S]*?)<\/entry>/g)].map((m) => {
    const e = m[1] ?? '';
    const tag = (t: string): string => decode(new RegExp(`<${t}>([\\s\\S]*?)</${t}>`).exec(e)?.[1] ?? '');
    return { id: tag('id'), title: tag('title'), summary: tag('summary'), xml: e };
  });
}

const total = (xml: string): number =>
  Number(/<opensearch:totalResults>(\d+)<\/opensearch:totalResults>/.exec(xml)?.[1] ?? NaN);

describe('arXiv stand-in routes', () => {
  it('runs on its own origin, with the export API under /api/query', () => {
    expect(site.arxivBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(site.arxivBaseUrl).not.toBe(site.url);
    expect(site.arxivApiUrl).toBe(`${site.arxivBaseUrl}/api/query`);
  });

  it.each([
    ['/abs/2403.13187', 200, HTML],
    ['/abs/2402.13572v2', 200, HTML],
    ['/abs/2403.99999', 404, HTML],
    ['/abs/2403.13187v9', 404, HTML],
    ['/abs/2403.10958', 404, HTML],
    ['/abs/hep-th/9901001', 404, HTML],
    ['/list/cs.LG/new', 200, HTML],
    ['/list/cs.CL/new', 200, HTML],
    ['/list/cs.CV/new', 200, HTML],
    ['/list/cs.AI/new', 200, HTML],
    ['/list/math.AG/new', 404, HTML],
    ['/list/cs.LG/new?show=7', 400, HTML],
    ['/api/query?id_list=2403.13187', 200, ATOM],
    ['/api/query?id_list=not-an-id', 400, ATOM],
    ['/api/query?search_query=all:electron', 200, ATOM],
    ['/robots.txt', 200, TEXT],
    ['/papers/2403.13187', 404, HTML],
  ])('%s answers %i %s', async (path, status, type) => {
    const res = await get(path);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe(type);
    if (status === 200) expect(res.headers.get('etag')).toMatch(/^W\/".+"$/);
  });

  it('serves a robots.txt that allows /abs, /list and /api', async () => {
    const text = await (await get('/robots.txt')).text();
    expect(text).toMatch(/^User-agent: \*$/m);
    for (const p of ['/abs/', '/list/', '/api/']) expect(text).toContain(`Allow: ${p}`);
    expect(text).not.toMatch(/^Disallow: \/(abs|list|api)/m);
  });

  it('answers conditional GETs with 304 and logs its requests apart from the HF side', async () => {
    const a = await get('/abs/2403.13372');
    const etag = a.headers.get('etag') ?? '';
    expect((await get('/abs/2403.13372', { headers: { 'If-None-Match': etag } })).status).toBe(304);
    expect(site.arxivRequests.at(-1)).toEqual({ method: 'GET', path: '/abs/2403.13372', status: 304 });
    expect(site.requests.some((r) => r.path.startsWith('/abs/'))).toBe(false);
  });
});

describe('export API feed', () => {
  it('keeps request order, silently drops missing ids and counts only found ones', async () => {
    const res = await api('id_list=2403.15382,2403.99999,2402.13572,2403.10958,2403.03507&max_results=10');
    const xml = await res.text();
    expect(xml.startsWith("<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns:opensearch=")).toBe(true);
    expect(total(xml)).toBe(3);
    expect(xml).toContain('<opensearch:itemsPerPage>10</opensearch:itemsPerPage>');
    expect(entries(xml).map((e) => e.id)).toEqual([
      'http://arxiv.org/abs/2403.15382v1',
      'http://arxiv.org/abs/2402.13572v3',
      'http://arxiv.org/abs/2403.03507v1',
    ]);
    expect(xml).toContain('<title>arXiv Query: search_query=&amp;id_list=2403.15382,2403.99999,');
  });

  it('pages with start and max_results, total still the number found', async () => {
    const xml = await (await api('id_list=2403.13187,2403.13372,2403.14236&start=1&max_results=1')).text();
    expect(total(xml)).toBe(3);
    expect(entries(xml).map((e) => e.id)).toEqual(['http://arxiv.org/abs/2403.13372v2']);
  });

  it('gives the raw title and abstract, versions, categories, authors and DOI', async () => {
    const xml = await (await api('id_list=2403.14554,2403.09611v1,2403.12447')).text();
    const [frosting, mm1, sketch] = entries(xml);
    const t = (id: string) => truth.find((x) => x.id === id);
    expect(frosting?.summary).toBe(t('2403.14554')?.abstract);
    expect(frosting?.xml).toContain('<arxiv:doi>10.5555/3700001.3700318</arxiv:doi>');
    expect(frosting?.xml).toContain('<link rel="related" href="https://doi.org/10.5555/3700001.3700318"/>');
    expect(frosting?.xml).toContain('<arxiv:journal_ref>');
    expect(mm1?.id).toBe('http://arxiv.org/abs/2403.09611v1');
    expect(mm1?.title).toBe('MM1: Methods, Analysis & Insights from Multimodal LLM\n  Pre-training');
    expect(mm1?.xml).toContain('<updated>2024-03-14T17:58:59Z</updated>');
    expect(mm1?.xml).toContain('<published>2024-03-14T17:58:59Z</published>');
    expect(mm1?.xml).toContain('<arxiv:primary_category term="cs.CV"/>');
    expect([...(mm1?.xml ?? '').matchAll(/<category term="([^"]+)"/g)].map((m) => m[1])).toEqual([
      'cs.CV',
      'cs.CL',
      'cs.LG',
    ]);
    expect(sketch?.title).toBe(t('2403.12447')?.title);
    expect(sketch?.xml).toContain(`<link href="${site.arxivBaseUrl}/abs/2403.12447v2" rel="alternate"`);
    expect(sketch?.xml).toContain('title="pdf"/>');
    const names = [...(sketch?.xml ?? '').matchAll(/<name>([^<]*)<\/name>/g)].map((m) => m[1]);
    expect(names).toEqual(t('2403.12447')?.authors);
  });

  it('answers a malformed id with a single /api/errors# entry', async () => {
    const res = await api('id_list=2403.13187,2403.1318');
    expect(res.status).toBe(400);
    const xml = await res.text();
    expect(total(xml)).toBe(1);
    const [e] = entries(xml);
    expect(e?.id).toBe('http://arxiv.org/api/errors#incorrect_id_format_for_2403.1318');
    expect(e?.title).toBe('Error');
    expect(e?.summary).toBe('incorrect id format for 2403.1318');
  });

  it('returns an empty feed for a search_query', async () => {
    const xml = await (await api('search_query=ti:transformer&max_results=5')).text();
    expect(total(xml)).toBe(0);
    expect(entries(xml)).toEqual([]);
  });
});

describe('abstract pages', () => {
  const meta = (html: string, name: string): string[] =>
    [...html.matchAll(new RegExp(`<meta name="${name}" content="([^"]*)"/>`, 'g'))].map((m) =>
      decode(m[1] ?? ''),
    );

  it('carry the citation_* meta tags', async () => {
    const html = await (await get('/abs/2403.09629')).text();
    expect(meta(html, 'citation_title')).toEqual([
      'Quiet-STaR: Language Models Can Teach Themselves to Think Before Speaking',
    ]);
    expect(meta(html, 'citation_author')[0]).toBe('Zelikman, Eric');
    expect(meta(html, 'citation_author').at(-1)).toBe('Goodman, Noah D.');
    expect(meta(html, 'citation_date')).toEqual(['2024/03/14']);
    expect(meta(html, 'citation_online_date')).toEqual(['2024/03/18']);
    expect(meta(html, 'citation_pdf_url')).toEqual([`${site.arxivBaseUrl}/pdf/2403.09629`]);
    expect(meta(html, 'citation_arxiv_id')).toEqual(['2403.09629']);
    expect(meta(html, 'citation_abstract')[0]).toMatch(
      /^When people write or speak, they often pause to think\./,
    );
    expect(meta(html, 'citation_doi')).toEqual([]);
    expect(html).toContain('<title>[2403.09629] Quiet-STaR: Language Models');
    expect(html).toContain(`<link rel="canonical" href="${site.arxivBaseUrl}/abs/2403.09629"/>`);
  });

  it('show the body of docs/sources.md#arxiv-abstract-pages: dateline, title, authors, abstract, metatable, history', async () => {
    const html = await (await get('/abs/2402.13572v2')).text();
    expect(html).toContain(
      '<div class="dateline">[Submitted on 21 Feb 2024 (<a href="/abs/2402.13572v1">v1</a>), revised 5 Mar 2024 (this version, v2), <em>latest version 19 Mar 2024</em> (<a href="/abs/2402.13572v3">v3</a>)]</div>',
    );
    expect(html).toContain(
      '<h1 class="title mathjax"><span class="descriptor">Title:</span>On the Expressive Power of a Variant of the Looped Transformer</h1>',
    );
    expect(html).toMatch(
      /<div class="authors"><span class="descriptor">Authors:<\/span><a [^>]*>Yihang Gao<\/a>, /,
    );
    expect(html).toContain('<blockquote class="abstract mathjax"><span class="descriptor">Abstract:</span>');
    expect(html).toContain('<span class="primary-subject">Machine Learning (cs.LG)</span>');
    expect(html).toContain('<a href="https://doi.org/10.48550/arXiv.2402.13572" id="arxiv-doi-link">');
    expect(html).toContain('arXiv:2402.13572</a> [cs.LG]</span>');
    expect(html).toContain(
      '<strong><a href="/abs/2402.13572v1" rel="nofollow">[v1]</a></strong> Wed, 21 Feb 2024 07:07:54 UTC (1,141 KB)<br/>',
    );
    expect(html).toContain('<strong>[v2]</strong> Tue, 5 Mar 2024 10:22:41 UTC (1,152 KB)<br/>');
    const latest = await (await get('/abs/2402.13572')).text();
    expect(latest).toContain('last revised 19 Mar 2024 (this version, v3)]');
  });

  it('resolve TeX accents in the title but keep the raw one in citation_title', async () => {
    const html = await (await get('/abs/2403.12447')).text();
    expect(html).toContain(
      '<span class="descriptor">Title:</span>Linear-Time Attention Beyond $O(n^2)$: Rényi Sketching',
    );
    expect(meta(html, 'citation_title')[0]).toContain("R\\'enyi Sketching");
  });

  it('give the related DOI and journal reference', async () => {
    const html = await (await get('/abs/2403.12015')).text();
    expect(meta(html, 'citation_doi')).toEqual(['10.5555/3700001.3700042']);
    expect(html).toContain('<td class="tablecell doi"><a href="https://doi.org/10.5555/3700001.3700042"');
    expect(html).toMatch(
      /<td class="tablecell label">Journal&nbsp;reference:<\/td><td class="tablecell jref">/,
    );
  });

  it('mark the withdrawn paper and its older version', async () => {
    const html = await (await get('/abs/2403.13655')).text();
    expect(html).toContain('This paper has been withdrawn by Daniel Okafor</span>');
    expect(html).toContain(
      '<strong>[v2]</strong> Thu, 21 Mar 2024 14:02:11 UTC (1 KB) <em>(withdrawn)</em><br/>',
    );
    expect(html).not.toContain('download-pdf');
    const v1 = await (await get('/abs/2403.13655v1')).text();
    expect(v1).toContain('A newer version of this paper has been withdrawn by Daniel Okafor');
  });

  it('resolve for every HF paper that is on arXiv, and 404 for the HF-only ones', async () => {
    const onArxiv = new Set(truth.map((t) => t.id));
    for (const h of snapshotTruth()) {
      const res = await get(`/abs/${h.id}`);
      expect(res.status, h.id).toBe(onArxiv.has(h.id) ? 200 : 404);
      if (res.status === 200)
        expect(/<meta name="citation_arxiv_id" content="([^"]+)"\/>/.exec(await res.text())?.[1]).toBe(h.id);
      else await res.arrayBuffer();
    }
    const ids = snapshotTruth().map((h) => h.id);
    const xml = await (await api(`id_list=${ids.join(',')}&max_results=100`)).text();
    const got = entries(xml).map((e) => e.id.replace(/^http:\/\/arxiv\.org\/abs\/(.*)v\d+$/, '$1'));
    expect(got).toEqual(ids.filter((id) => onArxiv.has(id)));
    expect(total(xml)).toBe(truth.filter((t) => t.onHf).length);
  });
});

describe('new listings', () => {
  it.each(['cs.LG', 'cs.CL', 'cs.CV', 'cs.AI'])('%s has the three sections with dt/dd pairs', async (cat) => {
    const html = await (await get(`/list/${cat}/new`)).text();
    expect(html).toContain('<h3>Showing new listings for Friday, 22 March 2024</h3>');
    const dls = [...html.matchAll(/<dl id='articles'>([\s\S]*?)<\/dl>/g)].map((m) => m[1] ?? '');
    const heads = dls.map((d) => /<h3>([^(<]+) \(showing (\d+) of \d+ entries\)<\/h3>/.exec(d));
    expect(heads.map((h) => h?.[1])).toEqual([
      'New submissions',
      'Cross submissions',
      'Replacement submissions',
    ]);
    const expected = truth.filter((t) => t.categories.includes(cat));
    const ids = dls.flatMap((d) =>
      [...d.matchAll(/<a href ="\/abs\/([\d.]+)" title="Abstract"/g)].map((m) => m[1]),
    );
    expect([...ids].sort()).toEqual(expected.map((t) => t.id).sort());
    dls.forEach((d, i) => {
      expect((d.match(/<dt>/g) ?? []).length).toBe((d.match(/<dd>/g) ?? []).length);
      expect((d.match(/<dt>/g) ?? []).length).toBe(Number(heads[i]?.[2]));
    });
    expect((dls[1] ?? '').match(/\(cross-list from cs\.[A-Z]{2}\)/g)?.length).toBe(Number(heads[1]?.[2]));
    expect((dls[2] ?? '').match(/\(replaced\)/g)?.length).toBe(Number(heads[2]?.[2]));
    expect(dls[0]).toContain(`<span class="primary-subject">`);
    expect(dls[0]).toMatch(/<div class='list-title mathjax'><span class='descriptor'>Title:<\/span>/);
    expect(dls[0]).toMatch(/<div class='list-authors'><a href="\/search\/cs\?searchtype=author&amp;query=/);
    expect(dls[0]).toContain("<p class='mathjax'>");
  });

  it('lists a cross-listed paper under its primary category', async () => {
    const html = await (await get('/list/cs.LG/new')).text();
    expect(html).toMatch(/id="2403\.13187">\s*arXiv:2403\.13187\s*<\/a>\s*\(cross-list from cs\.NE\)/);
    expect(html).toMatch(/id="2402\.13572">\s*arXiv:2402\.13572\s*<\/a>\s*\(replaced\)/);
  });
});
