/**
 * @paperline/sources: URL routing and page parsers for each source. Pure functions of a page, no
 * I/O, so a parser fix is tested and replayed without any service running.
 */
export type { PageInput, PageType, ParsedPage, Period, Route, SourceBases } from './types.js';
export { pageInput } from './page-input.js';
export { basesForArchivedPage, routeUrl } from './route.js';
export { parsePage } from './parse.js';
export { PARSER_VERSIONS } from './versions.js';
export { cleanText } from './text.js';
export { parseJsonBytes } from './json-bytes.js';
export { canonicalRepoUrl, extractCodeUrls } from './code-urls.js';
export { arxivAbsUrl, arxivApiUrlsForIds, ARXIV_API_BATCH, ARXIV_API_ROUTE } from './arxiv/urls.js';
