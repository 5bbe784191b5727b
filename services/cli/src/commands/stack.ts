import {
  clusterDown,
  clusterStatus,
  clusterUp,
  stackDown,
  stackStatus,
  stackUp,
  type ClusterOptions,
  type ClusterStatus,
  type ServiceStatus,
  type StackOptions,
  type StackStatus,
} from '@paperline/stack';
import type { PaperlineConfig } from '@paperline/core/config';
import { printJson } from '../output.js';

function log(quiet: boolean): (m: string) => void {
  return (m) => {
    if (!quiet) process.stderr.write(`${m}\n`);
  };
}

export function stackOptions(cfg: PaperlineConfig, quiet = false): StackOptions {
  return {
    redisUrl: cfg.redisUrl,
    // The local stack is one node: the first (or only) one configured.
    elasticsearchUrl: cfg.elasticsearch.nodes[0]!,
    log: log(quiet),
  };
}

const line = (name: string, x: ServiceStatus) =>
  `${name.padEnd(14)} ${x.up ? 'up  ' : 'down'}  ${x.url}${x.version ? `  v${x.version}` : ''}${x.managed ? `  (started by paperline, pid ${x.pid ?? '?'})` : x.up ? '  (external)' : ''}${x.detail ? `  ${x.detail}` : ''}`;

function describe(s: StackStatus): string {
  return `${line('redis', s.redis)}\n${line('elasticsearch', s.elasticsearch)}\n`;
}

/** One line per node, one per service's cluster-wide state, then (when up) the variables to export. */
export function describeCluster(s: ClusterStatus): string {
  const out: string[] = [];
  for (const [name, service] of Object.entries(s.services)) {
    for (const node of service.nodes) {
      const detail = node.up ? node.name : `${node.name}: ${node.detail ?? 'down'}`;
      out.push(line(name, { ...node, detail }));
    }
    if (service.detail !== undefined)
      out.push(`${name.padEnd(14)} ${service.up ? 'up  ' : 'down'}  ${service.detail}`);
  }
  if (s.up)
    out.push('', 'for the workers and the CLI:', ...Object.entries(s.env).map(([k, v]) => `${k}=${v}`));
  return `${out.join('\n')}\n`;
}

/** `stack up|down|status --cluster`: the local cluster, on its own ports beside the stack. */
export async function clusterCommand(action: string, opts: { json: boolean }): Promise<number> {
  const o: ClusterOptions = { log: log(opts.json) };
  let s: ClusterStatus;
  if (action === 'up') s = await clusterUp(o);
  else if (action === 'down') s = await clusterDown(o);
  else if (action === 'status') s = await clusterStatus(o);
  else {
    process.stderr.write(`unknown stack action '${action}' (up, down or status)\n`);
    return 2;
  }
  if (opts.json) printJson(s);
  else process.stdout.write(describeCluster(s));
  return action === 'status' && !s.up ? 1 : 0;
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
