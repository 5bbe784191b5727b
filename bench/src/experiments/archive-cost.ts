/**
 * Experiment: what the raw archive costs per page, on both sides of the wire, over P synthetic
 * listing pages and three archive indices:
 * - gzip_body: core's RawArchive.put / getText as shipped (the received bytes compressed, base64,
 *   one bulk request with the URL record; pages template, best_compression). Named for the gzip
 *   it measured; RawArchive has compressed with Brotli since;
 * - best_compression and default_codec: the layout before, the decoded text as a JSON string
 *   in two requests, with either codec.
 * Reports Elasticsearch CPU ms/page and client CPU ms/page for the writes and the realtime reads
 * (reads always go through RawArchive.getText, which reads both layouts), and the CPU of one
 * force merge of the whole archive to a segment, per page. Variants are
 * interleaved and repeated to damp the noise of a shared machine. *
 *   pnpm exec tsx bench/src/experiments/archive-cost.ts [pages=200] [rounds=3]
 */
import { createHash } from 'node:crypto';
import { loadConfig } from '@paperline/core/config';
import { createEsClient, pagesTemplate, RawArchive } from '@paperline/core/es';
import { renderDailyPage } from '../html.js';
import { dateOf, pageEntries } from '../model.js';
import { esCpuMs } from '../infra.js';

const pages = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 3);
const cfg = loadConfig(process.env);
const es = createEsClient(cfg.elasticsearch, { requestTimeoutMs: 120_000 });
const tag = `bench-exp-${Date.now().toString(36)}`;
const bodies = Array.from({ length: pages }, (_, p) =>
  renderDailyPage('http://127.0.0.1:1', dateOf(p + 5000), null, pageEntries(7, p + 5000)),
);
const avgKb = bodies.reduce((s, b) => s + Buffer.byteLength(b), 0) / pages / 1024;

async function pool<T>(items: T[], n: number, f: (x: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await f(items[i++]!);
    }),
  );
}

/**
 * best_compression and default_codec: text bodies (before); gzip_body: as shipped
 * (best_compression); gzip_default_codec: gzip bodies under the default codec.
 */
const VARIANTS = ['best_compression', 'default_codec', 'gzip_body', 'gzip_default_codec'] as const;
type Variant = (typeof VARIANTS)[number];
type Costs = { esPut: number[]; cliPut: number[]; esGet: number[]; cliGet: number[]; esMerge: number[] };
const results = Object.fromEntries(
  VARIANTS.map((v) => [v, { esPut: [], cliPut: [], esGet: [], cliGet: [], esMerge: [] }]),
) as unknown as Record<Variant, Costs>;
const gzipped = (v: Variant): boolean => v.startsWith('gzip');

async function run(variant: Variant, round: number): Promise<void> {
  const index = `${tag}-${variant.replace('_', '-')}-${round}`;
  const t = pagesTemplate().template;
  const settings = { ...(t.settings as Record<string, unknown>) };
  if (variant === 'default_codec' || variant === 'gzip_default_codec') delete settings['index.codec'];
  await es.indices.create({ index, settings: settings as never, mappings: t.mappings as never });
  await es.indices.create({
    index: `${index}-urls`,
    settings: settings as never,
    mappings: t.mappings as never,
  });
  const archive = new RawArchive(es, index);
  const shas: string[] = [];
  let e0 = await esCpuMs(es);
  let c0 = process.cpuUsage();
  await pool(
    bodies.map((b, i) => ({ b, i })),
    8,
    async ({ b, i }) => {
      const buf = Buffer.from(b);
      const sha256 = createHash('sha256').update(buf).digest('hex');
      shas[i] = sha256;
      const url = `http://127.0.0.1:1/papers/date/${dateOf(i + 5000)}`;
      if (gzipped(variant)) {
        await archive.put({
          url,
          finalUrl: url,
          sha256,
          status: 200,
          contentType: 'text/html; charset=utf-8',
          fetchedAt: new Date().toISOString(),
          source: 'hf',
          size: buf.length,
          body: buf,
        });
      } else {
        // The layout before gzip bodies: the decoded text as a JSON string, two requests.
        const text = new TextDecoder().decode(buf);
        await es.create({
          index,
          id: sha256,
          document: { sha256, text, contentType: 'text/html', size: buf.length, url },
        });
        await es.index({
          index: `${index}-urls`,
          id: sha256.slice(0, 40),
          document: { url, sha256, fetchedAt: new Date().toISOString() },
        });
      }
    },
  );
  let c = process.cpuUsage(c0);
  results[variant].esPut.push(((await esCpuMs(es)) - e0) / pages);
  results[variant].cliPut.push((c.user + c.system) / 1000 / pages);
  e0 = await esCpuMs(es);
  c0 = process.cpuUsage();
  await pool(
    shas.map((s, i) => ({ s, i })),
    4,
    async ({ s }) => {
      await archive.getText(s, 'x');
    },
  );
  c = process.cpuUsage(c0);
  results[variant].esGet.push(((await esCpuMs(es)) - e0) / pages);
  results[variant].cliGet.push((c.user + c.system) / 1000 / pages);
  // What merging the archive costs: every page's segments merged into one.
  e0 = await esCpuMs(es);
  await es.indices.forcemerge({ index, max_num_segments: 1 });
  results[variant].esMerge.push(((await esCpuMs(es)) - e0) / pages);
  await es.indices.delete({ index: [index, `${index}-urls`] });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
try {
  for (let r = 0; r < rounds; r++) for (const v of VARIANTS) await run(v, r);
  process.stdout.write(
    `${pages} pages of ${avgKb.toFixed(0)} KB, ${rounds} rounds, medians (ms CPU per page):\n`,
  );
  process.stdout.write('variant            ES put   client put   ES get   client get   ES merge\n');
  for (const [v, r] of Object.entries(results))
    process.stdout.write(
      `${v.padEnd(18)} ${median(r.esPut).toFixed(1).padStart(6)} ${median(r.cliPut).toFixed(1).padStart(12)} ${median(r.esGet).toFixed(1).padStart(8)} ${median(r.cliGet).toFixed(1).padStart(12)} ${median(r.esMerge).toFixed(2).padStart(10)}\n`,
    );
} finally {
  const found = await es.indices
    .get({ index: `${tag}-*`, ignore_unavailable: true, allow_no_indices: true })
    .catch(() => ({}));
  if (Object.keys(found).length) await es.indices.delete({ index: Object.keys(found) });
  await es.close();
}
