/**
 * CPU of parsing one synthetic Hugging Face listing page (50 papers), for profiling:
 * `node --cpu-prof --import tsx bench/src/experiments/parse-profile.ts [iterations]`.
 */
import { parsePage } from '@paperline/sources';
import { SYNTHETIC_BASES as bases, syntheticPage } from './synthetic-page.js';

const pages = Array.from({ length: 20 }, (_, p) => syntheticPage(p));
const n = Number(process.argv[2] ?? 500);
const started = process.cpuUsage();
let papers = 0;
for (let i = 0; i < n; i++) {
  const pg = pages[i % pages.length]!;
  const res = parsePage(
    {
      url: pg.url,
      finalUrl: pg.url,
      body: pg.body,
      contentType: 'text/html',
      fetchedAt: new Date().toISOString(),
    },
    bases,
  );
  papers += res.candidates.length;
}
const cpu = process.cpuUsage(started);
console.log(
  `${n} pages, ${papers} papers, ${((cpu.user + cpu.system) / 1000 / n).toFixed(2)} ms CPU per page, body ${pages[0]!.body.length} chars`,
);
