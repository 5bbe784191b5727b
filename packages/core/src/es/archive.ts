import type { Client } from '@elastic/elasticsearch';
import { PermanentError, type SourceId } from '@paperline/contracts';
import { shortHash } from '../routing.js';

/** What the archive keeps about one fetch of one URL. */
export interface UrlRecord {
  url: string;
  finalUrl: string;
  sha256: string;
  status: number;
  contentType: string;
  etag?: string;
  lastModified?: string;
  fetchedAt: string;
  source: SourceId;
  size: number;
  /** Canonical ids of the papers this page yielded when it was last parsed (for 304s). */
  paperIds?: string[];
}

export interface ArchivedPage extends UrlRecord {
  /** The body decoded to text (charset already resolved). */
  text: string;
}

const statusOf = (err: unknown): number | undefined =>
  typeof err === 'object' && err !== null && 'meta' in err
    ? (err as { meta: { statusCode?: number } }).meta.statusCode
    : undefined;

/**
 * The raw archive: every fetched body once per distinct content (id = sha256), plus the latest
 * fetch of each URL (for conditional GET and reprocessing). Backed by Elasticsearch so that
 * fetchers and parsers on different machines share it and it survives restarts.
 */
export class RawArchive {
  constructor(
    private readonly es: Client,
    private readonly index: string,
  ) {}

  get urlsIndex(): string {
    return `${this.index}-urls`;
  }

  /** Stores the body (once per sha256) and the URL's fetch record. Idempotent. */
  async put(page: ArchivedPage): Promise<void> {
    const { text, ...rec } = page;
    try {
      await this.es.create({
        index: this.index,
        id: page.sha256,
        document: {
          sha256: page.sha256,
          text,
          contentType: page.contentType,
          size: page.size,
          url: page.url,
        },
      });
    } catch (err) {
      if (statusOf(err) !== 409) throw err; // 409: that content is archived already
    }
    await this.es.index({ index: this.urlsIndex, id: shortHash(page.url, 40), document: rec });
  }

  /** Records a 304: the URL's content is still the archived one. */
  async touch(url: string, fetchedAt: string): Promise<void> {
    await this.es.update({ index: this.urlsIndex, id: shortHash(url, 40), doc: { fetchedAt } });
  }

  /** Remembers which papers a page yielded, so a later 304 can count them unchanged unparsed. */
  async setPaperIds(url: string, paperIds: string[]): Promise<void> {
    try {
      await this.es.update({
        index: this.urlsIndex,
        id: shortHash(url, 40),
        doc: { paperIds },
        retry_on_conflict: 3,
      });
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  async getText(sha256: string, url: string): Promise<string> {
    try {
      const res = await this.es.get<{ text: string }>({ index: this.index, id: sha256 });
      if (res._source?.text !== undefined) return res._source.text;
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    throw new PermanentError('ARCHIVE_MISSING', `archived body ${sha256} of ${url} is not in ${this.index}`, {
      stage: 'parse',
      context: { url },
    });
  }

  async getUrl(url: string): Promise<UrlRecord | null> {
    try {
      const res = await this.es.get<UrlRecord>({ index: this.urlsIndex, id: shortHash(url, 40) });
      return res._source ?? null;
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  /** Every archived URL record (optionally of one source, fetched since a date), in pages. */
  async *urls(filter: { source?: SourceId; since?: string } = {}): AsyncGenerator<UrlRecord> {
    const must: object[] = [];
    if (filter.source) must.push({ term: { source: filter.source } });
    if (filter.since) must.push({ range: { fetchedAt: { gte: filter.since } } });
    await this.es.indices.refresh({ index: this.urlsIndex });
    let searchAfter: (string | number)[] | undefined;

    for (;;) {
      const res = await this.es.search<UrlRecord>({
        index: this.urlsIndex,
        size: 500,
        query: must.length ? { bool: { filter: must } } : { match_all: {} },
        sort: [{ fetchedAt: 'asc' }, { url: 'asc' }],
        ...(searchAfter ? { search_after: searchAfter } : {}),
      });
      const hits = res.hits.hits;
      for (const h of hits) if (h._source) yield h._source;
      if (hits.length < 500) return;
      searchAfter = hits[hits.length - 1]!.sort as (string | number)[];
    }
  }
}
