import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackError } from './errors.js';
import {
  findJdks,
  javaMajor,
  javaRequirement,
  majorFromDirName,
  parseReleaseFile,
  resolveJdk,
  selectJdk,
  type JdkCandidate,
} from './jdk.js';

const jdk = (major: number, home = `/usr/lib/jvm/jdk-${major}`): JdkCandidate => ({
  home,
  major,
  version: `${major}.0.1`,
});

describe('javaMajor / parseReleaseFile / majorFromDirName', () => {
  it('reads majors from version strings, old and new style', () => {
    expect(javaMajor('17.0.15')).toBe(17);
    expect(javaMajor('21')).toBe(21);
    expect(javaMajor('1.8.0_392')).toBe(8);
    expect(javaMajor('8.19.21')).toBe(8);
    expect(javaMajor('garbage')).toBeUndefined();
  });

  it('reads JAVA_VERSION from a release file', () => {
    expect(parseReleaseFile('IMPLEMENTOR="Eclipse Adoptium"\nJAVA_VERSION="25.0.3"\nOS_NAME="Linux"\n')).toBe(
      '25.0.3',
    );
    expect(parseReleaseFile('OS_NAME="Linux"\n')).toBeUndefined();
  });

  it('guesses majors from the usual /usr/lib/jvm directory names', () => {
    expect(majorFromDirName('java-17-openjdk-amd64')).toBe(17);
    expect(majorFromDirName('java-1.17.0-openjdk-amd64')).toBe(17);
    expect(majorFromDirName('temurin-25-jdk-amd64')).toBe(25);
    expect(majorFromDirName('jdk-21.0.2')).toBe(21);
    expect(majorFromDirName('java-8-openjdk-amd64')).toBe(8);
    expect(majorFromDirName('default-java')).toBeUndefined();
  });
});

describe('selectJdk', () => {
  it('needs 17+ for Elasticsearch 8 and prefers 21, then 17', () => {
    expect(javaRequirement(8)).toEqual({ min: 17, preferred: [21, 17] });
    expect(selectJdk([jdk(17), jdk(25)], 8)?.major).toBe(17);
    expect(selectJdk([jdk(25), jdk(17), jdk(21)], 8)?.major).toBe(21);
  });

  it('falls back to the oldest new-enough JDK, and to nothing when all are too old', () => {
    expect(selectJdk([jdk(25), jdk(23)], 8)?.major).toBe(23);
    expect(selectJdk([jdk(11), jdk(8)], 8)).toBeUndefined();
    expect(selectJdk([], 8)).toBeUndefined();
  });

  it('needs 21+ for Elasticsearch 9', () => {
    expect(selectJdk([jdk(17), jdk(25)], 9)?.major).toBe(25);
    expect(selectJdk([jdk(17), jdk(21), jdk(25)], 9)?.major).toBe(21);
    expect(selectJdk([jdk(17)], 9)).toBeUndefined();
  });
});

describe('findJdks / resolveJdk on a fake /usr/lib/jvm', () => {
  let root: string;
  const fakeJdk = async (name: string, version: string | undefined): Promise<void> => {
    await mkdir(join(root, name, 'bin'), { recursive: true });
    await writeFile(join(root, name, 'bin', 'java'), '#!/bin/sh\nexit 0\n');
    await chmod(join(root, name, 'bin', 'java'), 0o755);
    if (version !== undefined) await writeFile(join(root, name, 'release'), `JAVA_VERSION="${version}"\n`);
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'paperline-jvm-'));
    await fakeJdk('java-17-openjdk-amd64', '17.0.15');
    await fakeJdk('temurin-25-jdk-amd64', '25.0.3');
    await fakeJdk('jdk-11', undefined); // no release file: major from the name (the fake java prints nothing)
    await symlink(join(root, 'java-17-openjdk-amd64'), join(root, 'java-1.17.0-openjdk-amd64'));
    await mkdir(join(root, 'openjdk-17')); // no bin/java: not a JDK
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('lists each real JDK once, by its real path', async () => {
    const found = await findJdks(root);
    expect(found.map((j) => [j.home, j.major]).sort()).toEqual(
      [
        [join(root, 'java-17-openjdk-amd64'), 17],
        [join(root, 'jdk-11'), 11],
        [join(root, 'temurin-25-jdk-amd64'), 25],
      ].sort(),
    );
  });

  it('picks 17 for Elasticsearch 8 and 25 for Elasticsearch 9', async () => {
    expect((await resolveJdk('8.19.21', undefined, root)).home).toBe(join(root, 'java-17-openjdk-amd64'));
    expect((await resolveJdk('9.1.0', undefined, root)).major).toBe(25);
  });

  it('checks an explicit JDK and names what is wrong', async () => {
    const explicit = { home: join(root, 'temurin-25-jdk-amd64'), source: 'PAPERLINE_JAVA_HOME' };
    expect((await resolveJdk('8.19.21', explicit, root)).major).toBe(25);
    await expect(
      resolveJdk('8.19.21', { home: join(root, 'openjdk-17'), source: 'PAPERLINE_JAVA_HOME' }, root),
    ).rejects.toThrow(/PAPERLINE_JAVA_HOME .* has no executable bin\/java/);
    await expect(
      resolveJdk('8.19.21', { home: join(root, 'jdk-11'), source: 'PAPERLINE_JAVA_HOME' }, root),
    ).rejects.toThrow(/needs Java 17 or newer/);
  });

  it('says what to install when no JDK qualifies', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'paperline-nojvm-'));
    const saved = process.env.JAVA_HOME;
    delete process.env.JAVA_HOME;
    try {
      const err = await resolveJdk('8.19.21', undefined, empty).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StackError);
      expect((err as StackError).code).toBe('STACK_UNAVAILABLE');
      expect((err as StackError).message).toMatch(
        /apt-get install openjdk-17-jdk-headless.*PAPERLINE_JAVA_HOME/,
      );
    } finally {
      if (saved !== undefined) process.env.JAVA_HOME = saved;
      await rm(empty, { recursive: true, force: true });
    }
  });
});
