import type { SchemaElement } from 'hyparquet-writer';

/*
 * The Parquet layout of a PaperRecord (docs/operations.md#export): one row per paper, one column
 * per record field, in the record's order and with its names. Strings are UTF8, counts INT32,
 * times TIMESTAMP(MILLIS, UTC), lists three-level LISTs, `links`, `organization` and `embedding`
 * groups (structs), `versions` and `sources` lists of groups. A field the record schema requires
 * is REQUIRED (never null); an optional one is OPTIONAL and null when the paper has none.
 */

type Repetition = 'REQUIRED' | 'OPTIONAL';
/** A field: its schema elements in depth-first order (a group's children follow it). */
type Field = SchemaElement[];

const string = (name: string, r: Repetition): Field => [
  { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type: r },
];
const int = (name: string, r: Repetition): Field => [{ name, type: 'INT32', repetition_type: r }];
const bool = (name: string, r: Repetition): Field => [{ name, type: 'BOOLEAN', repetition_type: r }];
const float = (name: string, r: Repetition): Field => [{ name, type: 'FLOAT', repetition_type: r }];
const timestamp = (name: string, r: Repetition): Field => [
  {
    name,
    type: 'INT64',
    converted_type: 'TIMESTAMP_MILLIS',
    logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
    repetition_type: r,
  },
];
const group = (name: string, r: Repetition, children: Field[]): Field => [
  { name, repetition_type: r, num_children: children.length },
  ...children.flat(),
];
/** The standard three-level list: `<name>` (LIST) → repeated `list` → `element` (never null). */
const list = (name: string, r: Repetition, element: (name: string, r: Repetition) => Field): Field => [
  { name, repetition_type: r, converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  ...element('element', 'REQUIRED'),
];
const groupOf =
  (children: Field[]) =>
  (name: string, r: Repetition): Field =>
    group(name, r, children);

const FIELDS: Field[] = [
  string('id', 'REQUIRED'),
  string('arxivId', 'OPTIONAL'),
  int('arxivVersion', 'OPTIONAL'),
  string('doi', 'OPTIONAL'),
  string('title', 'REQUIRED'),
  string('abstract', 'OPTIONAL'),
  list('authors', 'REQUIRED', string),
  int('authorCount', 'REQUIRED'),
  timestamp('publishedAt', 'OPTIONAL'),
  list('categories', 'REQUIRED', string),
  list('keywords', 'REQUIRED', string),
  int('upvotes', 'OPTIONAL'),
  list('codeUrls', 'REQUIRED', string),
  group('links', 'REQUIRED', [
    string('abs', 'OPTIONAL'),
    string('pdf', 'OPTIONAL'),
    string('hf', 'OPTIONAL'),
    string('project', 'OPTIONAL'),
  ]),
  list(
    'versions',
    'OPTIONAL',
    groupOf([int('version', 'REQUIRED'), timestamp('submittedAt', 'OPTIONAL'), int('sizeKb', 'OPTIONAL')]),
  ),
  string('license', 'OPTIONAL'),
  string('journalRef', 'OPTIONAL'),
  string('comments', 'OPTIONAL'),
  string('githubRepo', 'OPTIONAL'),
  int('githubStars', 'OPTIONAL'),
  group('organization', 'OPTIONAL', [string('name', 'REQUIRED'), string('fullname', 'OPTIONAL')]),
  string('aiSummary', 'OPTIONAL'),
  int('linkedModelCount', 'OPTIONAL'),
  int('linkedDatasetCount', 'OPTIONAL'),
  int('linkedSpaceCount', 'OPTIONAL'),
  list(
    'sources',
    'REQUIRED',
    groupOf([
      string('source', 'REQUIRED'),
      string('url', 'REQUIRED'),
      timestamp('fetchedAt', 'REQUIRED'),
      string('parserVersion', 'REQUIRED'),
    ]),
  ),
  bool('withdrawn', 'REQUIRED'),
  timestamp('firstSeenAt', 'REQUIRED'),
  timestamp('updatedAt', 'REQUIRED'),
  string('contentHash', 'REQUIRED'),
  string('parserVersion', 'REQUIRED'),
  group('embedding', 'OPTIONAL', [string('textHash', 'REQUIRED'), list('vector', 'OPTIONAL', float)]),
];

/** The file's schema: the root, then every field's elements. */
export const PAPER_PARQUET_SCHEMA: SchemaElement[] = [
  { name: 'paper', num_children: FIELDS.length },
  ...FIELDS.flat(),
];

/** The top-level columns, in order. */
export const PAPER_PARQUET_COLUMNS: string[] = FIELDS.map((f) => f[0]!.name);
