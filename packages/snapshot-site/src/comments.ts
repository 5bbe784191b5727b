import { createHash } from 'node:crypto';
import { esc } from './html.js';
import type { DailyPaperEntry, HfComment } from './types.js';

/** 24 hex digits derived from `seed`, stable across runs (HF's ObjectId-like ids). */
export function hex24(seed: string): string {
  return createHash('sha1').update(seed).digest('hex').slice(0, 24);
}

const BOT = { name: 'librarian-bot', fullname: 'Librarian Bot (Bot)' };
const PEOPLE = [
  { name: 'julien-c', fullname: 'Julien Chaumond' },
  { name: 'osanseviero', fullname: 'Omar Sanseviero' },
  { name: 'nielsr', fullname: 'Niels Rogge' },
  { name: 'merve', fullname: 'merve' },
];

function author(u: { name: string; fullname: string }): HfComment['author'] {
  const id = hex24(`user:${u.name}`);
  return {
    _id: id,
    avatarUrl: `/avatars/${createHash('md5').update(u.name).digest('hex')}.svg`,
    fullname: u.fullname,
    name: u.name,
    type: 'user',
    isPro: false,
    isHfAdmin: false,
  };
}

function comment(
  paperId: string,
  i: number,
  at: number,
  by: HfComment['author'],
  raw: string,
  html: string,
): HfComment {
  const createdAt = new Date(at).toISOString();
  const reactions = i === 0 ? [{ reaction: '👍', users: [PEOPLE[0]?.name ?? 'julien-c'], count: 1 }] : [];
  return {
    id: hex24(`comment:${paperId}:${i}`),
    createdAt,
    type: 'comment',
    author: by,
    data: {
      edited: false,
      hidden: false,
      latest: { raw, html, updatedAt: createdAt },
      numEdits: 0,
      reactions,
    },
  };
}

/** The Librarian Bot's usual "similar papers" note, pointing at other papers of the snapshot. */
function librarian(similar: readonly DailyPaperEntry[]): { raw: string; html: string } {
  const year = (e: DailyPaperEntry): string => e.paper.publishedAt.slice(0, 4);
  const raw = [
    'This is an automated message from the [Librarian Bot](https://huggingface.co/librarian-bots). I found the following papers similar to this paper. ',
    '',
    'The following papers were recommended by the Semantic Scholar API ',
    '',
    ...similar.map((e) => `* [${e.paper.title}](https://huggingface.co/papers/${e.paper.id}) (${year(e)})`),
    '',
    '',
    ' Please give a thumbs up to this comment if you found it helpful!',
    '',
    ' If you want recommendations for any Paper on Hugging Face checkout [this](https://huggingface.co/spaces/librarian-bots/recommend_similar_papers) Space',
  ].join('\n');
  const items = similar
    .map(
      (e) => `<li><a href="/papers/${e.paper.id}" rel="nofollow">${esc(e.paper.title)}</a> (${year(e)})</li>`,
    )
    .join('\n');
  const html = `<p>This is an automated message from the <a href="/librarian-bots">Librarian Bot</a>. I found the following papers similar to this paper. </p>\n<p>The following papers were recommended by the Semantic Scholar API </p>\n<ul>\n${items}\n</ul>\n<p> Please give a thumbs up to this comment if you found it helpful!</p>\n`;
  return { raw, html };
}

/**
 * `entry.numComments` deterministic comments for a paper page: a Librarian Bot note (naming three
 * other papers of `all`), then short remarks from the submitter and regular users.
 */
export function commentsFor(entry: DailyPaperEntry, all: readonly DailyPaperEntry[]): HfComment[] {
  const p = entry.paper;
  const start = Date.parse(p.submittedOnDailyAt ?? p.publishedAt) + 3_600_000;
  const at = (i: number): number =>
    start + i * 5_400_000 + (parseInt(hex24(`t${p.id}${i}`).slice(0, 6), 16) % 600_000);
  const others = all.filter((e) => e.paper.id !== p.id);
  const k = others.length === 0 ? 0 : parseInt(p.discussionId.slice(0, 4), 16) % others.length;
  const similar = [0, 1, 2]
    .map((j) => others[(k + j) % others.length])
    .filter((e): e is DailyPaperEntry => e !== undefined);
  const out: HfComment[] = [];
  for (let i = 0; i < entry.numComments; i++) {
    if (i === 0) {
      const note = librarian(similar);
      out.push(comment(p.id, i, at(i), author(BOT), note.raw, note.html));
    } else if (i === 1 && p.githubRepo !== undefined) {
      const s = entry.submittedBy;
      const by = {
        _id: s._id,
        avatarUrl: s.avatarUrl,
        fullname: s.fullname,
        name: s.name,
        type: 'user' as const,
        isPro: s.isPro,
        isHfAdmin: false,
      };
      const raw = `Code & models: ${p.githubRepo}`;
      out.push(
        comment(
          p.id,
          i,
          at(i),
          by,
          raw,
          `<p>Code &amp; models: <a href="${esc(p.githubRepo)}" rel="nofollow">${esc(p.githubRepo)}</a></p>\n`,
        ),
      );
    } else {
      const who = PEOPLE[(i + p.id.length) % PEOPLE.length] ?? PEOPLE[0];
      const raw =
        i % 2 === 0
          ? `Congrats on the release! Would be great to see the checkpoints on the Hub 🤗`
          : `Interesting results. How does this compare to the "baseline + more data" setting? It'd help to see that ablation.`;
      if (who) out.push(comment(p.id, i, at(i), author(who), raw, `<p>${esc(raw)}</p>\n`));
    }
  }
  return out;
}
