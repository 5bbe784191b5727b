import { stackDown, stackStatus, stackUp, type StackOptions, type StackStatus } from '@paperline/stack';
import type { PaperlineConfig } from '@paperline/core/config';
import { printJson } from '../output.js';

export function stackOptions(cfg: PaperlineConfig, quiet = false): StackOptions {
  return {
    redisUrl: cfg.redisUrl,
    // The local stack is one node: the first (or only) one configured.
    elasticsearchUrl: cfg.elasticsearch.nodes[0]!,
    log: (m) => {
      if (!quiet) process.stderr.write(`${m}\n`);
    },
  };
}

function describe(s: StackStatus): string {
  const line = (name: string, x: StackStatus['redis']) =>
    `${name.padEnd(14)} ${x.up ? 'up  ' : 'down'}  ${x.url}${x.version ? `  v${x.version}` : ''}${x.managed ? `  (started by paperline, pid ${x.pid ?? '?'})` : x.up ? '  (external)' : ''}${x.detail ? `  ${x.detail}` : ''}`;
  return `${line('redis', s.redis)}\n${line('elasticsearch', s.elasticsearch)}\n`;
}

export async function stackCommand(
  cfg: PaperlineConfig,
  action: string,
  opts: { json: boolean },
): Promise<number> {
  const o = stackOptions(cfg, opts.json);
  let s: StackStatus;
  if (action === 'up') s = await stackUp(o);
  else if (action === 'down') s = await stackDown(o);
  else if (action === 'status') s = await stackStatus(o);
  else {
    process.stderr.write(`unknown stack action '${action}' (up, down or status)\n`);
    return 2;
  }
  if (opts.json) printJson(s);
  else process.stdout.write(describe(s));
  return action === 'status' && !(s.redis.up && s.elasticsearch.up) ? 1 : 0;
}
