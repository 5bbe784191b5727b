import type { Client } from '@elastic/elasticsearch';
import { PermanentError, type PageBody, type SourceId } from '@paperline/contracts';
import { promisify } from 'node:util';
import {
  brotliCompress as zlibBrotliCompress,
  brotliDecompress as zlibBrotliDecompress,
  constants as zlibConstants,
  gunzip as zlibGunzip,
} from 'node:zlib';
import { lazyBody, textBody } from '../http/charset.js';
import { shortHash } from '../ids.js';
import { BulkBodies, bulkItemFailure, postBulk } from './bulk-body.js';
import { Coalescer } from './coalescer.js';
import type { BulkResponseEntry, BulkRider } from './papers.js';

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
  /** The body exactly as received (its sha256 is the archive id). */
  body: Buffer;
}

/**
 * One archived body. Written as `body` (the received bytes, Brotli-compressed, base64 in JSON) with
 * `encoding: 'br'`. Archives written before hold the same with `encoding: 'gzip'`, or `text` (the
 * decoded body); both still read.
 */
interface PageDoc {
  sha256: string;
  body?: string;
  encoding?: BodyEncoding;
  text?: string;
  contentType: string;
  size: number;
  url: string;
}

/** The id of a URL's record in the `-urls` index. */
const urlRecordId = (url: string): string => shortHash(url, 40);

type BodyEncoding = 'br' | 'gzip';

/**
 * The bodies of this process's archive writes, one buffer per write in flight (a fetcher runs 8 at
 * a time by default). Written through a kept buffer, the base64 of a page is garbage as soon as it
 * is in the buffer, not held by a request string for as long as the write takes.
 */
const archiveBodies = new BulkBodies(8);

/** A change to a URL's fetch record: its `fetchedAt` (a 304) or its `paperIds`. */
interface RecordUpdate {
  url: string;
  doc: Partial<Pick<UrlRecord, 'fetchedAt' | 'paperIds'>>;
  /** What the update records, for an error that names it. */
  what: string;
  /** A record that is not there is no error (the paper list of a page archived elsewhere). */
  missingIsFine: boolean;
}

/** The paper list of a page: its record may be missing (a page archived elsewhere), and that is fine. */
const paperIdsUpdate = (url: string, paperIds: string[]): RecordUpdate => ({
  url,
  doc: { paperIds },
  what: 'the papers',
  missingIsFine: true,
});

/** A page to archive, its body compressed as the archive keeps it. */
interface CompressedPage {
  page: ArchivedPage;
  compressed: Buffer;
}

const brotliCompress = promisify(zlibBrotliCompress);
const DECOMPRESS: Record<BodyEncoding, (b: Buffer, o: { chunkSize: number }) => Promise<Buffer>> = {
  br: promisify(zlibBrotliDecompress),
  gzip: promisify(zlibGunzip),
};

/**
 * The body as the archive keeps it: Brotli at quality 1, the fastest, in one output chunk (the
 * default 16 KB chunks cost more than the compression). On the bench's listing pages it took half
 * the CPU of gzip at level 1 and wrote a sixth fewer bytes for Elasticsearch to parse and store
 * (bench/src/experiments/archive-encoding.ts).
 */
const compressBody = (body: Buffer): Promise<Buffer> =>
  brotliCompress(body, {
    chunkSize: 256 * 1024,
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: 1,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });

/**
 * The raw archive: every fetched body once per distinct content (id = sha256), plus the latest
 * fetch of each URL (for conditional GET and reprocessing). Backed by Elasticsearch so that
 * fetchers and parsers on different machines share it and it survives restarts.
 */
export class RawArchive {
  /** Writes of bodies and their fetch records: the pages that come meanwhile share the next bulk. */
  private readonly writes: Coalescer<CompressedPage, undefined>;
  /** Reads of fetch records: the reads that come meanwhile share the next mget. */
  private readonly urlReads: Coalescer<string, UrlRecord | null>;
  /** Reads of bodies: the reads that come meanwhile share the next mget. */
  private readonly bodyReads: Coalescer<string, PageDoc | null>;
  /** Updates of fetch records: the updates that come meanwhile share the next bulk. */
  private readonly recordUpdates: Coalescer<RecordUpdate, undefined>;

  /**
   * @param requestsInFlight requests of each kind (writes, record reads and updates, body reads)
   *   this archive keeps out at once; the calls made meanwhile leave together in the next one (see
   *   Coalescer).
   */
  constructor(
    private readonly es: Client,
    private readonly index: string,
    requestsInFlight = 1,
  ) {
    const limits = (maxItems: number) => ({ maxInFlight: requestsInFlight, maxItems });
    this.writes = new Coalescer((pages) => this.writePages(pages), limits(32));
    this.urlReads = new Coalescer((ids) => this.readByIds<UrlRecord>(this.urlsIndex, ids), limits(64));
    this.bodyReads = new Coalescer((shas) => this.readByIds<PageDoc>(this.index, shas), limits(16));
    this.recordUpdates = new Coalescer((updates) => this.updateRecords(updates), limits(64));
  }

  get urlsIndex(): string {
    return `${this.index}-urls`;
  }

  /**
   * Stores the body (once per sha256) and the URL's fetch record; settles when Elasticsearch has
   * both. Idempotent. The body is kept compressed: a 440 KB listing page becomes about 70 KB of
   * base64, which Elasticsearch parses, stores and returns for much less than the page as a JSON
   * string. Pages archived by this process at the same time share a bulk request.
   */
  async put(page: ArchivedPage): Promise<void> {
    await this.writes.submit({ page, compressed: await compressBody(page.body) });
  }

  /** One bulk request for `pages`: each page's outcome, in their order. */
  private async writePages(pages: CompressedPage[]): Promise<(undefined | Error)[]> {
    const lines = pages.flatMap(({ page, compressed }) => this.putLines(page, compressed));
    const res = await postBulk(this.es, archiveBodies, lines);
    return pages.map(({ page }, p) => {
      for (const item of res.items.slice(2 * p, 2 * p + 2)) {
        const op = item.create ?? item.index;
        // 409 on create: that content is archived already.
        if (!op || (op.status >= 300 && !(item.create && op.status === 409))) {
          return new Error(
            `archive write of ${page.url} to ${op?._index ?? this.index} failed: ${bulkItemFailure(op)}`,
          );
        }
      }
      return undefined;
    });
  }

  /** The bulk lines of {@link put}: the body's document (created once) and the URL's record. */
  private putLines(page: ArchivedPage, compressed: Buffer): object[] {
    const { body: _received, ...rec } = page;
    const doc: PageDoc = {
      sha256: page.sha256,
      body: compressed.toString('base64'),
      encoding: 'br',
      contentType: page.contentType,
      size: page.size,
      url: page.url,
    };
    return [
      { create: { _index: this.index, _id: page.sha256 } },
      doc,
      { index: { _index: this.urlsIndex, _id: urlRecordId(page.url) } },
      rec,
    ];
  }

  /** Records a 304: the URL's content is still the archived one. */
  async touch(url: string, fetchedAt: string): Promise<void> {
    await this.recordUpdates.submit({ url, doc: { fetchedAt }, what: 'the fetch', missingIsFine: false });
  }

  /** One bulk request of record updates: each one's outcome, in their order. */
  private async updateRecords(updates: RecordUpdate[]): Promise<(undefined | Error)[]> {
    const res = await postBulk(
      this.es,
      archiveBodies,
      updates.flatMap((u) => this.updateLines(u)),
    );
    return updates.map((u, i) => this.updateOutcome(u, res.items[i]));
  }

  /** The bulk lines of a record update. */
  private updateLines({ url, doc }: RecordUpdate): [object, object] {
    return [{ update: { _index: this.urlsIndex, _id: urlRecordId(url), retry_on_conflict: 3 } }, { doc }];
  }

  /** Undefined when the update was applied (or its record is missing and that is fine), else the error. */
  private updateOutcome(
    { url, what, missingIsFine }: RecordUpdate,
    item: BulkResponseEntry | undefined,
  ): Error | undefined {
    const op = item?.update;
    if (op && ((op.status >= 200 && op.status < 300) || (missingIsFine && op.status === 404)))
      return undefined;
    return new Error(
      `recording ${what} of ${url} on its archive record in ${this.urlsIndex} failed: ${bulkItemFailure(op)}`,
    );
  }

  /**
   * {@link setPaperIds} as a rider of another bulk request (the indexer's write of the page's
   * papers): `recorded` settles when that request's answer does, and, like `setPaperIds`, ignores
   * a URL that has no record.
   */
  paperIdsRider(url: string, paperIds: string[]): BulkRider & { recorded: Promise<void> } {
    const update = paperIdsUpdate(url, paperIds);
    let settle!: (items: BulkResponseEntry[]) => void;
    let fail!: (err: unknown) => void;
    const recorded = new Promise<void>((resolve, reject) => {
      fail = reject;
      settle = ([item]) => {
        const err = this.updateOutcome(update, item);
        if (err) reject(err);
        else resolve();
      };
    });
    const [action, body] = this.updateLines(update);
    return { operations: [{ action, body }], settle, fail, recorded };
  }

  /** Remembers which papers a page yielded, so a later 304 can count them unchanged unparsed. */
  async setPaperIds(url: string, paperIds: string[]): Promise<void> {
    await this.recordUpdates.submit(paperIdsUpdate(url, paperIds));
  }

  /** The archived body, decoded with the charset it was served in when its text is asked for. */
  async getBody(sha256: string, url: string): Promise<PageBody> {
    const doc = await this.bodyReads.submit(sha256);
    if (doc?.text !== undefined) return textBody(doc.text);
    if (doc?.body !== undefined)
      return lazyBody(await this.receivedBytes(doc.body, doc, url), doc.contentType);
    throw new PermanentError('ARCHIVE_MISSING', `archived body ${sha256} of ${url} is not in ${this.index}`, {
      stage: 'parse',
      context: { url },
    });
  }

  /** A stored body's bytes as they were received: its `body` decompressed. */
  private async receivedBytes(body: string, doc: PageDoc, url: string): Promise<Buffer> {
    const bytes = Buffer.from(body, 'base64');
    if (doc.encoding === undefined) return bytes;
    const decompress = Object.hasOwn(DECOMPRESS, doc.encoding) ? DECOMPRESS[doc.encoding] : undefined;
    if (!decompress) {
      throw new PermanentError(
        'ARCHIVE_UNREADABLE',
        `archived body ${doc.sha256} of ${url} in ${this.index} has encoding '${String(doc.encoding)}', which this version does not read (known: ${Object.keys(DECOMPRESS).join(', ')})`,
        { stage: 'parse', context: { url } },
      );
    }
    const size = Number.isFinite(doc.size) ? doc.size + 1 : 0;
    return decompress(bytes, { chunkSize: Math.min(Math.max(size, 64 * 1024), 32 * 1024 * 1024) });
  }

  /** The archived body as text, decoded with the charset it was served in. */
  async getText(sha256: string, url: string): Promise<string> {
    return (await this.getBody(sha256, url)).text();
  }

  /** The latest fetch record of `url`, or null if it was never archived. */
  getUrl(url: string): Promise<UrlRecord | null> {
    return this.urlReads.submit(urlRecordId(url));
  }

  /**
   * One realtime mget of documents by id: each one's `_source`, null when there is none (not
   * written, or no such index yet, as a get's 404), or the error Elasticsearch gave for it.
   */
  private async readByIds<D>(index: string, ids: string[]): Promise<(D | null | Error)[]> {
    const res = await this.es.mget<D>({ index, ids });
    return res.docs.map((d) => {
      if ('found' in d) return d.found ? (d._source ?? null) : null;
      if (d.error.type === 'index_not_found_exception') return null;
      return new Error(`reading ${d._id} from ${index} failed: ${d.error.type}: ${d.error.reason ?? ''}`);
    });
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
