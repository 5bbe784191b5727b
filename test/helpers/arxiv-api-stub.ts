import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for arXiv's export API on 127.0.0.1 that knows every well-formed id: each `id_list`
 * query is answered with one Atom entry per id (title `Paper <id> as arXiv lists it`), in the
 * current dialect the parser reads (docs/sources.md#arxiv-export-api). It records the ids of every
 * request, and can hold requests back until the test lets them go. `/robots.txt` is a 404 (all
 * allowed).
 */
export interface ArxivApiStub {
  /** The API's URL: use it as `ARXIV_API_URL` (and its origin as `ARXIV_BASE_URL`). */
  apiUrl: string;
  origin: string;
  /** The ids of each request, in the order the requests came. */
  requests: string[][];
  /** Holds every request that comes from now on until the returned function is called. */
  hold(): () => void;
  close(): Promise<void>;
}

const x = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The title the stub gives an id: what a test expects to find in the merged document. */
export const stubTitle = (id: string) => `Paper ${id} as arXiv lists it`;

function entry(origin: string, id: string): string {
  return `  <entry>
    <id>http://arxiv.org/abs/${id}v2</id>
    <title>${x(stubTitle(id))}</title>
    <updated>2025-01-06T10:00:00Z</updated>
    <link href="${origin}/abs/${id}v2" rel="alternate" type="text/html"/>
    <link href="${origin}/pdf/${id}v2" rel="related" type="application/pdf" title="pdf"/>
    <summary>An abstract of ${id}, as the export API gives it.</summary>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <published>2025-01-02T10:00:00Z</published>
    <arxiv:primary_category term="cs.LG"/>
    <author>
      <name>Ada Lovelace</name>
    </author>
  </entry>`;
}

function feed(origin: string, query: string, ids: string[]): string {
  return `<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/stub</id>
  <title>arXiv Query: ${x(query)}</title>
  <updated>2025-01-06T10:00:00Z</updated>
  <link href="${origin}/api/query?${x(query)}" type="application/atom+xml"/>
  <opensearch:itemsPerPage>${ids.length}</opensearch:itemsPerPage>
  <opensearch:totalResults>${ids.length}</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
${ids.map((id) => entry(origin, id)).join('\n')}
</feed>
`;
}

export async function startArxivApiStub(): Promise<ArxivApiStub> {
  const requests: string[][] = [];
  let gate: Promise<void> | null = null;
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname !== '/api/query') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const ids = (url.searchParams.get('id_list') ?? '').split(',').filter(Boolean);
    requests.push(ids);
    const answer = () =>
      res
        .writeHead(200, { 'content-type': 'application/atom+xml; charset=utf-8' })
        .end(feed(origin, url.search.slice(1), ids));
    if (gate) void gate.then(answer);
    else answer();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: `${origin}/api/query`,
    origin,
    requests,
    hold() {
      let open = () => undefined as void;
      gate = new Promise<void>((r) => (open = r));
      return () => {
        gate = null;
        open();
      };
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
