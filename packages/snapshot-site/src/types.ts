/**
 * The Hugging Face Papers shapes the snapshot serves (docs/sources.md#hugging-face). They mirror what
 * huggingface.co returns, including its inconsistencies: the username is `user` in
 * {@link HfDailyUser} but `name` in {@link HfSubmitter}.
 */

/** A user as nested in `paper.submittedOnDailyBy` and in a claimed author's `user`. */
export interface HfDailyUser {
  _id: string;
  avatarUrl: string;
  isPro: boolean;
  fullname: string;
  /** The username. */
  user: string;
  type: 'user' | 'org';
}

/** The top-level `submittedBy` of an entry (username under `name`). */
export interface HfSubmitter {
  _id: string;
  avatarUrl: string;
  fullname: string;
  name: string;
  type: 'user' | 'org';
  isPro: boolean;
  isHf?: boolean;
  isHfAdmin?: boolean;
  isMod?: boolean;
  followerCount?: number;
  isUserFollowing?: boolean;
}

/** An author of a paper; `hidden` authors are kept (they still count). */
export interface HfAuthor {
  _id: string;
  name: string;
  hidden: boolean;
  /** Seen: `claimed_verified`, `admin_assigned`. */
  status?: string;
  statusLastChangedAt?: string;
  /** Present when the author claimed the paper. */
  user?: HfDailyUser;
}

/** An organization chip (not in HF's OpenAPI spec, seen in captures). */
export interface HfOrganization {
  _id: string;
  name: string;
  fullname: string;
  avatar: string;
}

/** `Entry.paper`: the paper itself. `upvotes` exist only here. */
export interface HfPaper {
  /** arXiv id without version, e.g. `2403.13187`. */
  id: string;
  authors: HfAuthor[];
  mediaUrls?: string[];
  /** ISO 8601, the arXiv v1 date. */
  publishedAt: string;
  /** ISO 8601, when it was put on a daily list (often midnight UTC); may be absent. */
  submittedOnDailyAt?: string;
  /** Raw TeX, no cleaning. */
  title: string;
  submittedOnDailyBy?: HfDailyUser;
  /** Raw TeX with arXiv's `\n` line wraps. */
  summary: string;
  upvotes: number;
  /** 24 hex digits. */
  discussionId: string;
  /** Absent, a URL, or `null`. */
  projectPage?: string | null;
  /** Full URL. */
  githubRepo?: string;
  githubRepoAddedBy?: string;
  ai_summary?: string;
  ai_keywords?: string[];
  githubStars?: number;
  organization?: HfOrganization;
  /** ISO 8601, set when the paper was withdrawn. */
  withdrawnAt?: string;
}

/** One element of `dailyPapers` in the page blob and of `/api/daily_papers`. */
export interface DailyPaperEntry {
  paper: HfPaper;
  publishedAt: string;
  title: string;
  summary: string;
  mediaUrls?: string[];
  /** `https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{id}.png` */
  thumbnail: string;
  numComments: number;
  submittedBy: HfSubmitter;
  organization?: HfOrganization;
  isAuthorParticipating: boolean;
}

/** One listing day of the snapshot, entries in page order (most upvoted first). */
export interface SnapshotDay {
  /** `YYYY-MM-DD` */
  date: string;
  entries: DailyPaperEntry[];
}

/** The parsed `data/hf-days.json`. */
export interface SnapshotData {
  /** Where the data comes from and what in it is real. */
  note: string;
  /** ISO 8601: the moment the snapshot stands for. */
  snapshotAt: string;
  /** Consecutive listing days, oldest first. */
  days: SnapshotDay[];
}

/** A comment on a paper page (docs/sources.md#hugging-face-paper-pages). */
export interface HfComment {
  id: string;
  createdAt: string;
  type: 'comment';
  author: {
    _id: string;
    avatarUrl: string;
    fullname: string;
    name: string;
    type: 'user';
    isPro: boolean;
    isHfAdmin: boolean;
  };
  data: {
    edited: boolean;
    hidden: boolean;
    latest: { raw: string; html: string; updatedAt: string };
    numEdits: number;
    reactions: Array<{ reaction: string; users: string[]; count: number }>;
  };
}

/** `GET /api/papers/{id}`: the flat paper plus counts and linked repos. */
export interface HfApiPaper extends HfPaper {
  numComments: number;
  linkedModels: string[];
  numTotalModels: number;
  linkedDatasets: string[];
  numTotalDatasets: number;
  linkedSpaces: string[];
  numTotalSpaces: number;
}
