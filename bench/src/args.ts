import { WORKER_KINDS, type WorkerKind } from '@paperline/contracts';

export interface BenchArgs {
  pages: number;
  json: boolean;
  skipPeer: boolean;
  skipLatency: boolean;
  /** Offered rate of the latency phase, in listing entries (papers) per second; 50 per page. */
  rate: number;
  latencySeconds: number;
  peerConcurrency: number;
  /** Workers run with --cpu-prof (their top self-time functions are printed). */
  profile: WorkerKind[];
  seed: number;
}

export const USAGE = `usage: pnpm bench [--pages N] [--json] [--skip-peer] [--skip-latency] [--rate 500]
                  [--latency-seconds 30] [--peer-concurrency 8] [--profile KIND[,KIND…]|all] [--seed 1]

  --pages N            listing pages of 50 papers to crawl (default 2000 → 100,000 listings, ≈95,000 distinct papers)
  --json               print the result as one JSON object, the last line of stdout
  --skip-peer          do not run the Crawlee peer
  --skip-latency       do not run the steady-rate latency phase
  --rate R             offered rate of the latency phase, papers/s (default 500 = 10 pages/s)
  --latency-seconds S  length of the latency phase (default 30)
  --soak [MIN]         soak: 300 papers/s for MIN minutes (default 30), throughput and RSS over time
  --peer-concurrency C CheerioCrawler min/maxConcurrency (default 8)
  --profile KINDS      run those workers (or 'all') with --cpu-prof; print their top self-time functions
  --seed S             seed of the synthetic site (default 1)

Workers are tuned through the environment only (PAPERLINE_*_CONCURRENCY, PAPERLINE_BULK_SIZE,
PAPERLINE_BULK_WAIT_MS, PAPERLINE_MAX_BACKLOG, …), which is passed to them as is.`;

export function parseArgs(argv: string[]): BenchArgs {
  const a: BenchArgs = {
    pages: 2000,
    json: false,
    skipPeer: false,
    skipLatency: false,
    rate: 500,
    latencySeconds: 30,
    peerConcurrency: 8,
    seed: 1,
    profile: [],
  };
  const num = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min) throw new Error(`${flag} needs a number ≥ ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!;
    const [flag, inline] = f.includes('=')
      ? [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)]
      : [f, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--':
        break;
      case '--pages':
        a.pages = Math.floor(num(flag, value(), 1));
        break;
      case '--json':
        a.json = true;
        break;
      case '--skip-peer':
        a.skipPeer = true;
        break;
      case '--skip-latency':
        a.skipLatency = true;
        break;
      case '--rate':
        a.rate = num(flag, value(), 1);
        break;
      case '--soak': {
        // Soak: the steady-rate phase at 300 papers/s for 30 minutes (or the given minutes),
        // reporting throughput and worker RSS over time; the peer is left out.
        const v = inline ?? (argv[i + 1] && !argv[i + 1]!.startsWith('--') ? argv[++i] : undefined);
        a.rate = 300;
        a.latencySeconds = (v ? num(flag, v, 1) : 30) * 60;
        a.skipPeer = true;
        break;
      }
      case '--latency-seconds':
        a.latencySeconds = num(flag, value(), 1);
        break;
      case '--peer-concurrency':
        a.peerConcurrency = Math.floor(num(flag, value(), 1));
        break;
      case '--seed':
        a.seed = Math.floor(num(flag, value(), 0));
        break;
      case '--profile': {
        const v = value() ?? '';
        const kinds = v === 'all' ? [...WORKER_KINDS] : v.split(',').map((s) => s.trim());
        if (kinds.some((k) => !(WORKER_KINDS as readonly string[]).includes(k)))
          throw new Error(`--profile takes 'all' or a comma-separated list of ${WORKER_KINDS.join(', ')}`);
        a.profile = kinds as WorkerKind[];
        break;
      }
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown flag ${f}\n${USAGE}`);
    }
  }
  return a;
}
