/** What the in-process experiments share: their provenance line, and CPU and page faults per run. */
import { execSync } from 'node:child_process';

/** `# <command> — commit <short hash>, <time>, <CPU model>`: the first line of a saved output. */
export function provenance(): string {
  return (
    `# ${process.argv.slice(1).join(' ')} — commit ${execSync('git rev-parse --short HEAD').toString().trim()}, ` +
    `${new Date().toISOString()}, ${execSync("lscpu | grep 'Model name'").toString().trim()}`
  );
}

/**
 * This process's CPU in ms (`process.cpuUsage`, user + system; system alone too) and its minor page
 * faults (`process.resourceUsage`), each per one of the `runs` that `work` does.
 */
export async function perRun(
  runs: number,
  work: () => Promise<void> | void,
): Promise<{ cpuMs: number; systemMs: number; faults: number }> {
  const faults = process.resourceUsage().minorPageFault;
  const started = process.cpuUsage();
  await work();
  const cpu = process.cpuUsage(started);
  return {
    cpuMs: (cpu.user + cpu.system) / 1000 / runs,
    systemMs: cpu.system / 1000 / runs,
    faults: (process.resourceUsage().minorPageFault - faults) / runs,
  };
}
