import { fork } from 'node:child_process';
import { ShadowTarget, reindexPapers } from '@paperline/core/es';
import type { CliContext } from '../context.js';
import { printJson } from '../output.js';

/**
 * Rebuilds the papers index from the current template with no downtime (new versioned index,
 * dual writes, copy, verification, atomic alias swap). Without --wait it runs detached and the
 * command returns at once.
 */
export async function reindexCommand(
  ctx: CliContext,
  opts: { wait: boolean; deleteOld: boolean; json: boolean },
): Promise<number> {
  if (!opts.wait) {
    const args = [
      'reindex',
      '--wait',
      ...(opts.deleteOld ? ['--delete-old'] : []),
      ...(opts.json ? ['--json'] : []),
    ];
    const child = fork(process.argv[1]!, args, {
      detached: true,
      stdio: 'ignore',
      execArgv: process.execArgv,
    });
    child.unref();
    child.disconnect?.();
    if (opts.json) printJson({ started: true, pid: child.pid });
    else
      process.stdout.write(
        `reindex of '${ctx.cfg.index}' started in the background (pid ${child.pid}); \`paperline status\` shows the alias when done\n`,
      );
    return 0;
  }
  const report = await reindexPapers(
    ctx.es,
    new ShadowTarget(ctx.redis, ctx.cfg.queuePrefix, ctx.cfg.index),
    ctx.cfg.index,
    {
      deleteOld: opts.deleteOld,
      layout: ctx.cfg.indexLayout,
      log: (m) => {
        if (!opts.json) process.stderr.write(`reindex: ${m}\n`);
      },
    },
  );
  if (opts.json) printJson(report);
  else
    process.stdout.write(
      `reindexed '${report.alias}': ${report.from.join(', ') || '(nothing)'} → ${report.to}, ${report.targetCount} documents in ${report.seconds.toFixed(1)} s${report.deleted.length ? `; deleted ${report.deleted.join(', ')}` : ''}\n`,
    );
  return 0;
}
