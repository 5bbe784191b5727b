import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalRepoUrl, extractCodeUrls } from './code-urls.js';

describe('canonicalRepoUrl', () => {
  it.each([
    ['https://github.com/sail-sg/Adan', 'https://github.com/sail-sg/Adan'],
    [
      'HTTPS://WWW.GitHub.com/facebookresearch/MobileLLM.git',
      'https://github.com/facebookresearch/MobileLLM',
    ],
    ['http://github.com/pagand/e2etransfuser/tree/cvpr-w', 'https://github.com/pagand/e2etransfuser'],
    [
      'https://github.com/ekinakyurek/google-research/blob/master/incontext.',
      'https://github.com/ekinakyurek/google-research',
    ],
    ['https://github.com/liangyn22/MCUFormer.', 'https://github.com/liangyn22/MCUFormer'],
    [
      'https://github.com/skyhehe123/ScatterFormer{https://github.com/skyhehe123/ScatterFormer}.',
      'https://github.com/skyhehe123/ScatterFormer',
    ],
    ['github.com/naist-ahc/cafe\\_eval)', 'https://github.com/naist-ahc/cafe_eval'],
    ['https://github.com/mrdoob/three.js?tab=readme#usage', 'https://github.com/mrdoob/three.js'],
    ['https://github.com/foo/bar.git.', 'https://github.com/foo/bar'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalRepoUrl(input)).toBe(expected);
  });

  it.each([
    'https://github.com/sail-sg',
    'https://gist.github.com/karpathy/d4dee566867f8291f086',
    'https://github.com/orgs/huggingface/repositories',
    'https://github.com/topics/transformers',
    'https://gitlab.com/foo/bar',
    'https://github.com/-bad-/repo',
    'https://github.com/foo/...',
    'not a url',
  ])('%s is not a repository', (input) => {
    expect(canonicalRepoUrl(input)).toBeNull();
  });
});

describe('extractCodeUrls', () => {
  it('finds repositories in real abstracts, with punctuation and TeX debris around them', () => {
    const text = [
      'Our code is available at https://github.com/pagand/e2etransfuser/tree/cvpr-w to facilitate future studies.',
      'The code is available at https://github.com/skyhehe123/ScatterFormer{https://github.com/skyhehe123/ScatterFormer}.',
      'Code is released at https://github.com/sail-sg/Adan, and has been used in multiple frameworks.',
      'TensorFlow code and models are available at https://github.com/google-research/deeplab2 A PyTorch',
      're-implementation is also available at https://github.com/bytedance/kmax-deeplab',
      '(see \\url{https://github.com/naist-ahc/cafetalk}; \\href{https://github.com/naist-ahc/cafe\\_eval}{cafe\\_eval})',
      "and 'https://github.com/lxq1000/SwinFace'. Also https://GitHub.com/Sail-SG/adan again, gist.github.com/x/y.",
    ].join('\n');
    expect(extractCodeUrls(text)).toEqual([
      'https://github.com/pagand/e2etransfuser',
      'https://github.com/skyhehe123/ScatterFormer',
      'https://github.com/sail-sg/Adan',
      'https://github.com/google-research/deeplab2',
      'https://github.com/bytedance/kmax-deeplab',
      'https://github.com/naist-ahc/cafetalk',
      'https://github.com/naist-ahc/cafe_eval',
      'https://github.com/lxq1000/SwinFace',
    ]);
  });

  it('returns [] for text without repositories', () => {
    expect(extractCodeUrls('Code will be released upon acceptance at https://example.org/code.')).toEqual([]);
  });

  it('only ever returns canonical repository URLs (property)', () => {
    const piece = fc.oneof(
      fc.string(),
      fc.constantFrom(
        'https://github.com/',
        'github.com/',
        'www.github.com/',
        '/',
        '.',
        '{',
        '}',
        '\\_',
        'a-b',
        '.git',
        ' ',
        ')',
      ),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        for (const url of extractCodeUrls(parts.join(''))) {
          expect(url).toMatch(/^https:\/\/github\.com\/[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/);
          expect(url.endsWith('.') || url.toLowerCase().endsWith('.git')).toBe(false);
          expect(canonicalRepoUrl(url)).toBe(url);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
