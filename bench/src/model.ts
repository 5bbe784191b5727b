/**
 * The synthetic Hugging Face Papers site: which papers each daily listing page shows and what
 * each paper says. Everything is a pure function of (seed, page index, paper index), so pages are
 * generated lazily per request and memory stays flat however many pages are served.
 *
 * Page p shows 50 entries: the papers "new" on that day plus 2–3 repeats of papers first listed
 * one to three days before (≈5% of sightings, as HF papers do reappear), with identical values
 * (listing pages render current counts), so a repeat is an unchanged sighting for the pipeline.
 */
import { chance, hex, int, mix, mulberry32, pick, type Rng } from './rng.js';
import * as W from './words.js';

export const PAPERS_PER_PAGE = 50;
const BASE_DAY = Date.UTC(2016, 0, 1);
const DAY_MS = 86_400_000;

/** Repeated entries on page p (0 on the first page, then 3, 2, 3, 2, …: 5% of sightings). */
export const repeatsOn = (p: number): number => (p === 0 ? 0 : p % 2 === 1 ? 3 : 2);
export const newOn = (p: number): number => PAPERS_PER_PAGE - repeatsOn(p);
/** Global index of the first paper new on page p (papers are numbered in order of first listing). */
export const firstNew = (p: number): number =>
  p === 0 ? 0 : PAPERS_PER_PAGE * p - (3 * Math.floor(p / 2) + 2 * Math.floor((p - 1) / 2));

export const dateOf = (p: number): string => new Date(BASE_DAY + p * DAY_MS).toISOString().slice(0, 10);

/** The page index of a `YYYY-MM-DD` date, or null when it is not one of the site's days. */
export function pageOfDate(date: string): number | null {
  const t = Date.parse(`${date}T00:00:00Z`);
  if (!Number.isFinite(t) || new Date(t).toISOString().slice(0, 10) !== date) return null;
  const p = Math.round((t - BASE_DAY) / DAY_MS);
  return p >= 0 ? p : null;
}

export interface PaperRef {
  /** Global paper index. */
  g: number;
  /** The page that listed it first. */
  home: number;
}

/** Where the repeats sit among the 50 cards. */
const REPEAT_SLOTS = [7, 23, 41];

/** The papers page p lists, in page order. */
export function pageRefs(seed: number, p: number): PaperRef[] {
  const refs: PaperRef[] = [];
  const first = firstNew(p);
  for (let i = 0; i < newOn(p); i++) refs.push({ g: first + i, home: p });
  for (let j = 0; j < repeatsOn(p); j++) {
    const q = Math.max(0, p - 1 - j);
    const n = newOn(q);
    const slot = ((mix(seed, p, j) % n) + j * 13) % n;
    refs.splice(REPEAT_SLOTS[j]!, 0, { g: firstNew(q) + slot, home: q });
  }
  return refs;
}

/** The arXiv id of paper g first listed on page `home`: `YYMM.NNNNN`, unique across the site. */
export function arxivIdOf(g: number, home: number): string {
  const d = dateOf(home);
  return `${d.slice(2, 4)}${d.slice(5, 7)}.${String(10_000 + (g % 90_000))}`;
}

/** Distinct papers (global indices) over a set of pages. */
export function distinctOver(seed: number, pages: Iterable<number>): Set<number> {
  const out = new Set<number>();
  for (const p of pages) for (const r of pageRefs(seed, p)) out.add(r.g);
  return out;
}

// ---- what a paper says -------------------------------------------------------------------------

export interface HfUser {
  _id: string;
  avatarUrl: string;
  isPro: boolean;
  fullname: string;
  user: string;
  type: 'user';
}
export interface HfSubmitter {
  _id: string;
  avatarUrl: string;
  fullname: string;
  name: string;
  type: 'user';
  isPro: boolean;
  isHf: boolean;
  isHfAdmin: boolean;
  isMod: boolean;
  followerCount: number;
}
export interface HfAuthor {
  _id: string;
  name: string;
  hidden: boolean;
  status?: string;
  statusLastChangedAt?: string;
  user?: HfUser;
}
export interface HfOrg {
  _id: string;
  name: string;
  fullname: string;
  avatar: string;
}
export interface HfPaper {
  id: string;
  authors: HfAuthor[];
  publishedAt: string;
  submittedOnDailyAt: string;
  title: string;
  submittedOnDailyBy: HfUser;
  summary: string;
  upvotes: number;
  discussionId: string;
  projectPage?: string;
  githubRepo?: string;
  ai_summary: string;
  ai_keywords: string[];
  githubStars?: number;
  organization?: HfOrg;
}
export interface Entry {
  paper: HfPaper;
  publishedAt: string;
  title: string;
  summary: string;
  thumbnail: string;
  numComments: number;
  submittedBy: HfSubmitter;
  organization?: HfOrg;
  isAuthorParticipating: boolean;
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function acronym(r: Rng): string {
  let s = '';
  for (let i = int(r, 2, 5); i > 0; i--) s += pick(r, [...W.ACRONYM_LETTERS]);
  return chance(r, 0.3) ? `${s}-${int(r, 1, 4)}` : s;
}

function title(r: Rng): string {
  const a = () => cap(pick(r, W.ADJECTIVES));
  const n = () => cap(pick(r, W.NOUNS));
  const d = () => cap(pick(r, W.DOMAINS));
  switch (int(r, 0, 4)) {
    case 0:
      return `${acronym(r)}: ${a()} ${n()} for ${a()} ${d()} ${n()}`;
    case 1:
      return `${a()} ${n()} ${cap(pick(r, W.VERBS))} ${a()} ${n()} in ${d()}`;
    case 2:
      return `Towards ${a()} and ${a()} ${n()} with ${a()} ${n()}`;
    case 3:
      return `${acronym(r)}: Scaling ${a()} ${n()} to ${int(r, 2, 900)}B Parameters`;
    default:
      return `On the ${cap(pick(r, W.NOUNS))} of ${a()} ${n()}:\n A ${d()} Perspective`;
  }
}

function sentence(r: Rng, words: number): string {
  const parts: string[] = [];
  for (let i = 0; i < words; i++) {
    const k = r();
    parts.push(
      k < 0.35
        ? pick(r, W.FILLER)
        : k < 0.6
          ? pick(r, W.NOUNS)
          : k < 0.8
            ? pick(r, W.ADJECTIVES)
            : k < 0.9
              ? pick(r, W.VERBS)
              : pick(r, W.DOMAINS),
    );
  }
  return `${cap(parts.join(' '))}.`;
}

/** Hard-wraps at ~80 columns with `\n`, as arXiv abstracts arrive. */
function wrap(text: string): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > 80) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out.join('\n');
}

function user(r: Rng, first: string, last: string): HfUser {
  const id = hex(r, 24);
  return {
    _id: id,
    avatarUrl: `https://cdn-avatars.huggingface.co/v1/production/uploads/${hex(r, 12)}/${hex(r, 20)}.jpeg`,
    isPro: chance(r, 0.2),
    fullname: `${first} ${last}`,
    user: `${first}${last}${int(r, 1, 999)}`
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]/g, ''),
    type: 'user',
  };
}

/** Paper g, first listed on page `home`: realistic fields and sizes, deterministic. */
export function paperEntry(seed: number, g: number, home: number): Entry {
  const r = mulberry32(mix(seed, g, 0xbe1c));
  const id = arxivIdOf(g, home);
  const day = BASE_DAY + home * DAY_MS;
  const published = new Date(day - int(r, 1, 3) * DAY_MS + int(r, 0, 86_399) * 1000).toISOString();
  const submittedAt = new Date(day + int(r, 0, 43_199) * 1000 + int(r, 0, 999)).toISOString();
  const authors: HfAuthor[] = [];
  for (let i = int(r, 3, 12); i > 0; i--) {
    const first = pick(r, W.FIRST_NAMES);
    const last = pick(r, W.LAST_NAMES);
    const a: HfAuthor = { _id: hex(r, 24), name: `${first} ${last}`, hidden: false };
    if (chance(r, 0.08)) {
      a.status = 'claimed_verified';
      a.statusLastChangedAt = submittedAt;
      a.user = user(r, first, last);
    }
    authors.push(a);
  }
  const t = title(r);
  const sentences: string[] = [];
  for (let i = int(r, 5, 7); i > 0; i--) sentences.push(sentence(r, int(r, 11, 20)));
  const repo = chance(r, 0.35)
    ? `https://github.com/${pick(r, W.ORGS)}/${pick(r, W.REPO_WORDS)}-${pick(r, W.REPO_WORDS)}`
    : undefined;
  if (chance(r, 0.1)) sentences.splice(2, 0, `It reaches ${int(r, 50, 99)}.${int(r, 0, 9)}\\% accuracy.`);
  if (chance(r, 0.2)) sentences.push(`Code is available at ${repo ?? `https://github.com/lab${g}/code`}.`);
  const summary = wrap(sentences.join(' '));
  const submitter = user(r, pick(r, W.FIRST_NAMES), pick(r, W.LAST_NAMES));
  const org = chance(r, 0.25)
    ? ((o: string): HfOrg => ({
        _id: hex(r, 24),
        name: o,
        fullname: cap(o.replace(/-/g, ' ')),
        avatar: `https://cdn-avatars.huggingface.co/v1/production/uploads/${hex(r, 24)}.png`,
      }))(pick(r, W.ORGS))
    : undefined;
  const keywords: string[] = [];
  for (let i = int(r, 3, 6); i > 0; i--) keywords.push(`${pick(r, W.ADJECTIVES)} ${pick(r, W.NOUNS)}`);
  const upvotes = Math.floor(r() ** 3 * 300);
  const paper: HfPaper = {
    id,
    authors,
    publishedAt: published,
    submittedOnDailyAt: submittedAt,
    title: t,
    submittedOnDailyBy: submitter,
    summary,
    upvotes,
    discussionId: hex(r, 24),
    ...(chance(r, 0.15) ? { projectPage: `https://${pick(r, W.REPO_WORDS)}${g}.github.io/` } : {}),
    ...(repo ? { githubRepo: repo, githubStars: Math.floor(r() ** 4 * 20_000) } : {}),
    ai_summary: sentence(r, int(r, 14, 24)),
    ai_keywords: keywords,
    ...(org ? { organization: org } : {}),
  };
  return {
    paper,
    publishedAt: published,
    title: t,
    summary,
    thumbnail: `https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/${id}.png`,
    numComments: int(r, 0, 12),
    submittedBy: {
      _id: submitter._id,
      avatarUrl: submitter.avatarUrl,
      fullname: submitter.fullname,
      name: submitter.user,
      type: 'user',
      isPro: submitter.isPro,
      isHf: false,
      isHfAdmin: false,
      isMod: false,
      followerCount: int(r, 0, 5000),
    },
    ...(org ? { organization: org } : {}),
    isAuthorParticipating: authors.some((a) => a.user !== undefined),
  };
}

/** The entries of page p, in page order. */
export function pageEntries(seed: number, p: number): Entry[] {
  return pageRefs(seed, p).map((ref) => paperEntry(seed, ref.g, ref.home));
}
