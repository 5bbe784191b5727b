/** A synthetic Hugging Face listing page for the experiments, and the base URLs that route it. */
import { renderDailyPage } from '../html.js';
import { dateOf, pageEntries } from '../model.js';

const base = 'http://127.0.0.1:1';

/** The base URLs a parser is given: the site's, and arXiv's pointed at closed loopback ports. */
export const SYNTHETIC_BASES = {
  hfBaseUrl: base,
  arxivBaseUrl: 'http://127.0.0.1:2',
  arxivApiUrl: 'http://127.0.0.1:3/api/query',
  oaiBaseUrl: 'http://127.0.0.1:4/oai',
};

/** Day `p`'s listing page of the bench's site model (seed 1): its URL and HTML. */
export function syntheticPage(p: number): { url: string; body: string } {
  const date = dateOf(p);
  return { url: `${base}/papers/date/${date}`, body: renderDailyPage(base, date, null, pageEntries(1, p)) };
}
