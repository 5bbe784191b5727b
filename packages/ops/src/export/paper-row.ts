import { PermanentError } from '@paperline/contracts';

/*
 * A stored paper (its `_source`, as the API returns it) turned into a row of the Parquet layout in
 * parquet-schema.ts: absent optional values become null, times become Dates (millisecond
 * precision), lists stay arrays. A value that the layout cannot hold (a required field missing, a
 * time that is not one, a count that is not a whole number) is an `INVALID_RECORD` error naming
 * the paper and the field: the export stops rather than write a row that says something else.
 */

type Doc = Record<string, unknown>;
export type PaperRow = Record<string, unknown>;

/** A stored paper that does not fit the record schema, so it cannot be exported. */
export class UnexportableRecordError extends PermanentError {
  constructor(paperId: string, field: string, problem: string) {
    super('INVALID_RECORD', `paper ${paperId}: ${field} ${problem}`, { context: { paperId, field } });
  }
}

/** Reads one document's fields, each checked against the type its column holds. */
class Fields {
  constructor(
    private readonly doc: Doc,
    private readonly id: string,
    private readonly path = '',
  ) {}

  /** The same reader over a nested object (`links`, one of `sources`). */
  nested(doc: Doc, path: string): Fields {
    return new Fields(doc, this.id, path);
  }

  private fail(field: string, problem: string): never {
    throw new UnexportableRecordError(this.id, `${this.path}${field}`, problem);
  }

  private present(field: string, required: boolean): unknown {
    const v = this.doc[field];
    if (v === undefined || v === null) {
      if (required) this.fail(field, 'is missing');
      return null;
    }
    return v;
  }

  string(field: string, required = false): string | null {
    const v = this.present(field, required);
    if (v !== null && typeof v !== 'string') this.fail(field, `is not a string (${JSON.stringify(v)})`);
    return v as string | null;
  }

  int(field: string, required = false): number | null {
    const v = this.present(field, required);
    if (v !== null && !(Number.isInteger(v) && Math.abs(v as number) <= 2 ** 31 - 1))
      this.fail(field, `is not a 32-bit whole number (${JSON.stringify(v)})`);
    return v as number | null;
  }

  bool(field: string, required = false): boolean | null {
    const v = this.present(field, required);
    if (v !== null && typeof v !== 'boolean') this.fail(field, `is not true or false (${JSON.stringify(v)})`);
    return v as boolean | null;
  }

  time(field: string, required = false): Date | null {
    const v = this.present(field, required);
    if (v === null) return null;
    const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
    if (Number.isNaN(t)) this.fail(field, `is not a time (${JSON.stringify(v)})`);
    return new Date(t);
  }

  object(field: string, required = false): Doc | null {
    const v = this.present(field, required);
    if (v !== null && (typeof v !== 'object' || Array.isArray(v))) this.fail(field, 'is not an object');
    return v as Doc | null;
  }

  /** An array (null when absent; `[]` with `orEmpty`, for the lists every record has). */
  array(field: string, opts: { orEmpty?: boolean } = {}): unknown[] | null {
    const v = this.present(field, false);
    if (v === null) return opts.orEmpty ? [] : null;
    if (!Array.isArray(v)) this.fail(field, 'is not a list');
    return v;
  }

  strings(field: string, opts: { orEmpty?: boolean } = {}): string[] | null {
    const v = this.array(field, opts);
    if (v?.some((s) => typeof s !== 'string')) this.fail(field, 'holds something other than strings');
    return v as string[] | null;
  }

  numbers(field: string): number[] | null {
    const v = this.array(field);
    if (v?.some((x) => typeof x !== 'number')) this.fail(field, 'holds something other than numbers');
    return v as number[] | null;
  }

  /** A list of objects, each read by `row` with its own path (`sources[2].url`). */
  objects(field: string, row: (f: Fields) => PaperRow, opts: { orEmpty?: boolean } = {}): PaperRow[] | null {
    return (
      this.array(field, opts)?.map((item, i) => {
        const at = `${field}[${i}]`;
        if (typeof item !== 'object' || item === null || Array.isArray(item))
          this.fail(at, 'is not an object');
        return row(this.nested(item as Doc, `${this.path}${at}.`));
      }) ?? null
    );
  }
}

const linksRow = (f: Fields): PaperRow => ({
  abs: f.string('abs'),
  pdf: f.string('pdf'),
  hf: f.string('hf'),
  project: f.string('project'),
});

const versionRow = (f: Fields): PaperRow => ({
  version: f.int('version', true),
  submittedAt: f.time('submittedAt'),
  sizeKb: f.int('sizeKb'),
});

const sourceRow = (f: Fields): PaperRow => ({
  source: f.string('source', true),
  url: f.string('url', true),
  fetchedAt: f.time('fetchedAt', true),
  parserVersion: f.string('parserVersion', true),
});

const organizationRow = (f: Fields): PaperRow => ({
  name: f.string('name', true),
  fullname: f.string('fullname'),
});

const embeddingRow = (f: Fields): PaperRow => ({
  textHash: f.string('textHash', true),
  vector: f.numbers('vector'),
});

/** A group column's value: null when the paper has no such object. */
function groupRow(f: Fields, field: string, row: (f: Fields) => PaperRow, required = false): PaperRow | null {
  const obj = f.object(field, required);
  return obj === null ? null : row(f.nested(obj, `${field}.`));
}

/** One stored paper as a row of {@link PAPER_PARQUET_SCHEMA}'s columns. */
export function paperRow(doc: Doc): PaperRow {
  const id = typeof doc.id === 'string' && doc.id ? doc.id : '(without id)';
  const f = new Fields(doc, id);
  return {
    id: f.string('id', true),
    arxivId: f.string('arxivId'),
    arxivVersion: f.int('arxivVersion'),
    doi: f.string('doi'),
    title: f.string('title', true),
    abstract: f.string('abstract'),
    authors: f.strings('authors', { orEmpty: true }),
    authorCount: f.int('authorCount', true),
    publishedAt: f.time('publishedAt'),
    categories: f.strings('categories', { orEmpty: true }),
    keywords: f.strings('keywords', { orEmpty: true }),
    upvotes: f.int('upvotes'),
    codeUrls: f.strings('codeUrls', { orEmpty: true }),
    links: groupRow(f, 'links', linksRow) ?? linksRow(f.nested({}, 'links.')),
    versions: f.objects('versions', versionRow),
    license: f.string('license'),
    journalRef: f.string('journalRef'),
    comments: f.string('comments'),
    githubRepo: f.string('githubRepo'),
    githubStars: f.int('githubStars'),
    organization: groupRow(f, 'organization', organizationRow),
    aiSummary: f.string('aiSummary'),
    linkedModelCount: f.int('linkedModelCount'),
    linkedDatasetCount: f.int('linkedDatasetCount'),
    linkedSpaceCount: f.int('linkedSpaceCount'),
    sources: f.objects('sources', sourceRow, { orEmpty: true }),
    withdrawn: f.bool('withdrawn', true),
    firstSeenAt: f.time('firstSeenAt', true),
    updatedAt: f.time('updatedAt', true),
    contentHash: f.string('contentHash', true),
    parserVersion: f.string('parserVersion', true),
    embedding: groupRow(f, 'embedding', embeddingRow),
  };
}
