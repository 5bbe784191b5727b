import { availableParallelism } from 'node:os';
import { WORKER_KINDS, type WorkerKind } from '@paperline/contracts';

/** One embedder configuration: `PAPERLINE_EMBED_BATCH` × `PAPERLINE_EMBED_CONCURRENCY`. */
export interface EmbedVariant {
  batch: number;
  concurrency: number;
}

/** `16x16,1x16` → variants; each batch and concurrency a whole number ≥ 1. */
export function parseVariants(spec: string): EmbedVariant[] {
  return spec.split(',').map((part) => {
    const m = /^(\d+)x(\d+)$/.exec(part.trim());
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1)
      throw new Error(`--embed takes BATCHxCONCURRENCY[,…] (e.g. 16x16,1x16), got '${part}'`);
    return { batch: Number(m[1]), concurrency: Number(m[2]) };
  });
}

/** `--embed` without a value: the default batch, unbatched with the same concurrency, and the old one-at-a-time. */
export const EMBED_VARIANTS = '16x16,1x16,1x1';

export interface BenchArgs {
  pages: number;
  json: boolean;
  skipPeer: boolean;
  skipLatency: boolean;
  /** After the crawl, parse the whole archive again and rewrite every paper (`reprocess --rewrite`). */
  reprocess: boolean;
  /**
   * After the crawl (and `--reprocess`), crawl its pages again, unchanged, twice: answered 304 Not
   * Modified, then answered with the whole page.
   */
  recrawl: boolean;
  /**
   * After the crawl (and `--reprocess`), `embed --missing` with an embedder of each of these
   * batch × concurrency settings in turn, on papers of `pages` listing pages each.
   */
  embed: EmbedVariant[] | undefined;
  /** Offered rate of the latency phase, in listing entries (papers) per second; 50 per page. */
  rate: number;
  latencySeconds: number;
  /** Crawlee peer processes, each with its share of the URL list: as many as the pipeline's cores. */
  peerProcs: number;
  /**
   * Worker groups: each a whole set of stage processes, as another machine would run them, all
   * sharing one Redis and one Elasticsearch.
   */
  groups: number;
  /**
   * Each group runs its four pipeline stages in one process (`workers fetcher,parser,…`), which
   * chains them (PAPERLINE_CHAIN_STAGES), instead of one process per stage.
   */
  chain: boolean;
  /** CheerioCrawler concurrency per peer process; undefined: chosen by a short calibration. */
  peerConcurrency: number | undefined;
  /** Workers run with --cpu-prof (their top self-time functions are printed). */
  profile: WorkerKind[];
  /** Workers print their collections (`--trace-gc-nvp`), added up per page of the crawl (`gc.ts`). */
  gc: boolean;
  seed: number;
  /** Write the result file into bench/results/ (committed) instead of the temp directory. */
  record: boolean;
  /**
   * At most this many listing pages of throwaway crawls, 250 a round, into indices and a Redis
   * prefix of their own, before anything is measured, until Elasticsearch's CPU per paper settles:
   * every contender then meets an Elasticsearch whose JIT has compiled its indexing paths (0: none).
   * @defaultValue as many as the crawl's `pages`, at most 2000
   */
  warmupPages: number;
}

export const USAGE = `usage: pnpm bench [--pages N] [--json] [--record] [--skip-peer] [--skip-latency] [--reprocess] [--recrawl]
                  [--embed [BxC,…]] [--rate 500] [--latency-seconds 30] [--soak [MIN]]
                  [--peer-procs P] [--peer-concurrency C] [--profile KIND[,KIND…]|all] [--gc]
                  [--seed 1] [--warmup-pages N]

  --pages N            listing pages of 50 papers to crawl (default 2000 → 100,000 listings, 95,002 distinct papers)
  --json               print the result as one JSON object, the last line of stdout
  --record             write the result file into bench/results/ (default: the system temp directory)
  --skip-peer          do not run the Crawlee peer
  --skip-latency       do not run the steady-rate latency phase
  --reprocess          after the crawl, re-parse its whole archive and rewrite every paper (reprocess --rewrite)
  --recrawl            then crawl the same pages again, unchanged, twice: the site answers each with 304 Not Modified,
                       then with the whole page (a server without 304s); pages/s and CPU per page of each pass
  --groups N           run N worker groups (each every stage, as N machines would) against one Redis and Elasticsearch (1)
  --chain              each group runs its fetcher, parser, deduplicator and indexer in one process, chaining the stages
  --embed [BxC,…]      then embed --missing with an embedder of PAPERLINE_EMBED_BATCH B × PAPERLINE_EMBED_CONCURRENCY C,
                       each variant on N pages' papers of its own (default ${EMBED_VARIANTS}): papers/s, CPU, RSS
  --rate R             offered rate of the latency phase, papers/s (default 500 = 10 pages/s)
  --latency-seconds S  length of the latency phase (default 30)
  --soak [MIN]         soak: 300 papers/s for MIN minutes (default 30), throughput and RSS over time
  --peer-procs P       Crawlee peer processes, each crawling its share of the pages (default: the core count)
  --peer-concurrency C CheerioCrawler min/maxConcurrency per peer process (default: the fastest of a calibration)
  --profile KINDS      run those workers (or 'all') with --cpu-prof; print their top self-time functions
  --gc                 run the workers with --trace-gc-nvp; their collections per page of the crawl (bytes
                       allocated, copied and promoted by scavenges, pauses) go into the result file
  --seed S             seed of the synthetic site (default 1)
  --warmup-pages N     at most N pages of throwaway crawls, 250 a round, that warm Elasticsearch up until its CPU
                       per paper settles, before anything is measured (default: --pages, at most 2000; 0: none)

Workers are tuned through the environment only (PAPERLINE_*_CONCURRENCY, PAPERLINE_BULK_SIZE,
PAPERLINE_BULK_WAIT_MS, PAPERLINE_MAX_BACKLOG, …), which is passed to them as is.`;

/** The warm-up's default at most: the crawl's own pages, and no more than this. */
const MAX_DEFAULT_WARMUP_PAGES = 2000;

const defaults = (): BenchArgs => ({
  pages: 2000,
  json: false,
  skipPeer: false,
  skipLatency: false,
  reprocess: false,
  recrawl: false,
  embed: undefined,
  rate: 500,
  latencySeconds: 30,
  peerProcs: availableParallelism(),
  groups: 1,
  chain: false,
  peerConcurrency: undefined,
  seed: 1,
  profile: [],
  gc: false,
  record: false,
  warmupPages: -1,
});

function num(flag: string, v: string | undefined, min: number): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n) || n < min) throw new Error(`${flag} needs a number ≥ ${min}`);
  return n;
}

function profileKinds(v: string): WorkerKind[] {
  const kinds = v === 'all' ? [...WORKER_KINDS] : v.split(',').map((s) => s.trim());
  if (kinds.some((k) => !(WORKER_KINDS as readonly string[]).includes(k)))
    throw new Error(`--profile takes 'all' or a comma-separated list of ${WORKER_KINDS.join(', ')}`);
  return kinds as WorkerKind[];
}

/** Soak: the steady-rate phase at 300 papers/s for `minutes`, reporting RSS over time; no peer. */
function soak(a: BenchArgs, minutes: number): void {
  a.rate = 300;
  a.latencySeconds = minutes * 60;
  a.skipPeer = true;
}

export function parseArgs(argv: string[]): BenchArgs {
  const a = defaults();
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!;
    const eq = f.indexOf('=');
    const [flag, inline] = eq === -1 ? [f, undefined] : [f.slice(0, eq), f.slice(eq + 1)];
    const value = () => inline ?? argv[++i];
    /** The value of a flag whose value may be left out (`--soak`, `--soak 10`). */
    const optional = () => inline ?? (argv[i + 1] && !argv[i + 1]!.startsWith('--') ? argv[++i] : undefined);
    switch (flag) {
      case '--':
        break;
      case '--pages':
        a.pages = Math.floor(num(flag, value(), 1));
        break;
      case '--json':
        a.json = true;
        break;
      case '--record':
        a.record = true;
        break;
      case '--skip-peer':
        a.skipPeer = true;
        break;
      case '--skip-latency':
        a.skipLatency = true;
        break;
      case '--reprocess':
        a.reprocess = true;
        break;
      case '--recrawl':
        a.recrawl = true;
        break;
      case '--embed':
        a.embed = parseVariants(optional() ?? EMBED_VARIANTS);
        break;
      case '--rate':
        a.rate = num(flag, value(), 1);
        break;
      case '--soak': {
        const v = optional();
        soak(a, v ? num(flag, v, 1) : 30);
        break;
      }
      case '--latency-seconds':
        a.latencySeconds = num(flag, value(), 1);
        break;
      case '--groups':
        a.groups = Math.floor(num(flag, value(), 1));
        break;
      case '--chain':
        a.chain = true;
        break;
      case '--peer-procs':
        a.peerProcs = Math.floor(num(flag, value(), 1));
        break;
      case '--peer-concurrency':
        a.peerConcurrency = Math.floor(num(flag, value(), 1));
        break;
      case '--seed':
        a.seed = Math.floor(num(flag, value(), 0));
        break;
      case '--warmup-pages':
        a.warmupPages = Math.floor(num(flag, value(), 0));
        break;
      case '--profile':
        a.profile = profileKinds(value() ?? '');
        break;
      case '--gc':
        a.gc = true;
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown flag ${f}\n${USAGE}`);
    }
  }
  if (a.warmupPages < 0) a.warmupPages = Math.min(a.pages, MAX_DEFAULT_WARMUP_PAGES);
  return a;
}
