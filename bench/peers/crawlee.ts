/**
 * The peer: the same synthetic site crawled the way a Crawlee user would do it — CheerioCrawler
 * (HTTP + cheerio, no browser, in-memory storage), the `DailyPapers` data-props blob read with
 * cheerio (`$('div[data-target="DailyPapers"]').attr('data-props')`, entities decoded by cheerio),
 * comparable PaperRecord-shaped documents built in the handler (clean text, canonical id,
 * content hash, the source's view kept under `sources[].record`), an in-memory content-hash
 * dedupe (repeats are unchanged), and a bulk sink of fixed-size batches into a fresh index the
 * harness created from the same template with bulk-load settings (it refreshes the index once all
 * peer processes are done). Several processes may share the work, each with its own URL list.
 *
 * Config (env): PEER_SITE_URL, PEER_URLS_FILE (one URL a line), PEER_INDEX, PEER_BULK_SIZE,
 * PEER_BULK_CONCURRENCY, PEER_MAX_CONCURRENCY, ELASTICSEARCH_URL, CRAWLEE_STORAGE_DIR (a temp
 * dir). Started with an IPC channel: it reports 'ready' once loaded and crawls on 'go', so the
 * harness times the crawl without the start-up. Prints one JSON line of counters at the end.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client } from '@elastic/elasticsearch';
import { CheerioCrawler, Configuration, log, LogLevel } from 'crawlee';

const env = (k: string, d?: string): string => {
  const v = process.env[k] ?? d;
  if (v === undefined) throw new Error(`${k} is required`);
  return v;
};
const index = env('PEER_INDEX');
const bulkSize = Number(env('PEER_BULK_SIZE', '500'));
const bulkConcurrency = Number(env('PEER_BULK_CONCURRENCY', '2'));
const maxConcurrency = Number(env('PEER_MAX_CONCURRENCY', '8'));
const urls = readFileSync(env('PEER_URLS_FILE'), 'utf8').split('\n').filter(Boolean);
const hfBase = env('PEER_SITE_URL');

log.setLevel(LogLevel.WARNING);
const es = new Client({ node: env('ELASTICSEARCH_URL', 'http://127.0.0.1:9200'), requestTimeout: 120_000 });

// ---- documents ---------------------------------------------------------------------------------
interface HfAuthor {
  name?: string;
}
interface HfPaper {
  id: string;
  title?: string;
  summary?: string;
  authors?: HfAuthor[];
  publishedAt?: string;
  upvotes?: number;
  ai_keywords?: string[];
  githubRepo?: string;
  projectPage?: string;
  withdrawnAt?: string;
}

const clean = (s: string | undefined): string =>
  (s ?? '')
    .replace(/\\([%&_#$])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
const fingerprint = (t: string): string =>
  t
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
const GH = /https?:\/\/github\.com\/([\w.-]+)\/([\w-]+(?:\.[\w-]+)*)/g;

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, x]) => `${JSON.stringify(k)}:${stable(x)}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

function toDoc(p: HfPaper, url: string, fetchedAt: string): { id: string; hash: string; doc: object } {
  const id = `arxiv:${p.id.replace(/v\d+$/, '')}`;
  const abstract = clean(p.summary);
  const codeUrls = [
    ...new Set([
      ...(p.githubRepo ? [p.githubRepo.replace(/\.git$/, '')] : []),
      ...[...(p.summary ?? '').matchAll(GH)].map(
        (m) => `https://github.com/${m[1]}/${m[2]!.replace(/\.$/, '')}`,
      ),
    ]),
  ];
  const authors = (p.authors ?? []).map((a) => clean(a.name)).filter(Boolean);
  const content = {
    arxivId: p.id,
    title: clean(p.title),
    abstract,
    authors,
    authorCount: authors.length,
    publishedAt: p.publishedAt,
    categories: [] as string[],
    keywords: [...new Set((p.ai_keywords ?? []).map(clean).filter(Boolean))],
    upvotes: p.upvotes,
    codeUrls,
    links: {
      abs: `https://arxiv.org/abs/${p.id}`,
      pdf: `https://arxiv.org/pdf/${p.id}`,
      hf: `${hfBase}/papers/${p.id}`,
      ...(p.projectPage ? { project: p.projectPage } : {}),
    },
    withdrawn: Boolean(p.withdrawnAt),
  };
  const hash = createHash('sha256').update(stable(content)).digest('hex');
  const record = { source: 'hf', url, fetchedAt, parserVersion: 'peer-1', ...content };
  return {
    id,
    hash,
    doc: {
      id,
      ...content,
      sources: [{ source: 'hf', url, fetchedAt, parserVersion: 'peer-1', record }],
      firstSeenAt: fetchedAt,
      updatedAt: fetchedAt,
      contentHash: hash,
      parserVersion: 'peer-1',
      titleFingerprint: fingerprint(content.title),
    },
  };
}

// ---- the bulk sink -----------------------------------------------------------------------------
const seen = new Map<string, string>();
let buffer: object[] = [];
const inflight = new Set<Promise<void>>();
const counters = { pages: 0, entries: 0, docs: 0, unchanged: 0, bulkRequests: 0, failedItems: 0 };

async function sendBulk(ops: object[]): Promise<void> {
  counters.bulkRequests++;
  const res = await es.bulk({ operations: ops });
  if (res.errors) {
    const again: object[] = [];
    res.items.forEach((it, i) => {
      const st = it.index?.status ?? 0;
      if (st === 429) again.push(ops[2 * i]!, ops[2 * i + 1]!);
      else if (st >= 300) counters.failedItems++;
    });
    if (again.length) {
      await sleep(200);
      await sendBulk(again);
    }
  }
}

async function flush(): Promise<void> {
  const ops = buffer;
  buffer = [];
  if (ops.length === 0) return;
  while (inflight.size >= bulkConcurrency) await Promise.race(inflight);
  const p = sendBulk(ops).finally(() => inflight.delete(p));
  inflight.add(p);
}

// ---- the crawler -------------------------------------------------------------------------------
const config = new Configuration({ persistStorage: false, purgeOnStart: true });
const crawler = new CheerioCrawler(
  {
    minConcurrency: maxConcurrency,
    maxConcurrency,
    maxRequestRetries: 3,
    requestHandlerTimeoutSecs: 60,
    useSessionPool: false,
    async requestHandler({ request, $ }) {
      const fetchedAt = new Date().toISOString();
      const raw = $('div[data-target="DailyPapers"]').attr('data-props');
      if (!raw) throw new Error(`no DailyPapers blob on ${request.url}`);
      const props = JSON.parse(raw) as { dailyPapers: Array<{ paper: HfPaper }> };
      counters.pages++;
      for (const e of props.dailyPapers) {
        counters.entries++;
        const { id, hash, doc } = toDoc(e.paper, request.loadedUrl ?? request.url, fetchedAt);
        if (seen.get(id) === hash) {
          counters.unchanged++;
          continue;
        }
        seen.set(id, hash);
        counters.docs++;
        buffer.push({ index: { _index: index, _id: id } }, doc);
        if (buffer.length >= 2 * bulkSize) await flush();
      }
    },
    failedRequestHandler({ request }) {
      process.stderr.write(`peer: failed ${request.url}\n`);
    },
  },
  config,
);

process.send?.('ready');
await new Promise((resolve) => process.once('message', resolve));
const cpu0 = process.cpuUsage();
await crawler.run(urls);
await flush();
while (inflight.size > 0) await Promise.race(inflight);
await es.close();
process.disconnect?.();
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({ ...counters, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
