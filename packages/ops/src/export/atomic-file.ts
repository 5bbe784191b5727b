import { createHash, type Hash } from 'node:crypto';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { ExportInputError } from './options.js';

/** What a finished file is: its size and the sha256 of its bytes. */
export interface FileDigest {
  bytes: number;
  sha256: string;
}

/**
 * A file written under `<path>.partial`, hashed as it is written, and renamed to `path` only by
 * {@link AtomicFile.commit}: whoever reads `path` finds the previous file or the whole new one,
 * never half of it. {@link AtomicFile.discard} removes the partial file.
 */
export class AtomicFile {
  readonly partialPath: string;
  private readonly hash: Hash = createHash('sha256');
  private written = 0;
  private digest: FileDigest | undefined;

  private constructor(
    readonly path: string,
    private handle: FileHandle | undefined,
  ) {
    this.partialPath = partialPathOf(path);
  }

  /**
   * Creates (or truncates) `<path>.partial`. A path that is a directory, or in a directory that
   * does not exist or cannot be written, is an {@link ExportInputError} naming `option`.
   */
  static async create(path: string, option = '--out'): Promise<AtomicFile> {
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isDirectory()) throw new ExportInputError(option, `'${path}' is a directory`);
    try {
      return new AtomicFile(path, await open(partialPathOf(path), 'w'));
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new ExportInputError(option, `cannot write ${partialPathOf(path)} (${why})`, err);
    }
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.written;
  }

  async write(chunk: string | Uint8Array): Promise<void> {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (bytes.length === 0) return;
    this.hash.update(bytes);
    const handle = this.openHandle();
    for (let at = 0; at < bytes.length;) {
      at += (await handle.write(bytes, at, bytes.length - at)).bytesWritten;
    }
    this.written += bytes.length;
  }

  /** Flushes the partial file to disk and closes it; the digest is of every byte written. */
  async finish(): Promise<FileDigest> {
    if (this.digest) return this.digest;
    const handle = this.openHandle();
    await handle.sync();
    await handle.close();
    this.handle = undefined;
    this.digest = { bytes: this.written, sha256: this.hash.digest('hex') };
    return this.digest;
  }

  /** Moves the finished file to its name (replacing any file there). */
  async commit(): Promise<void> {
    if (!this.digest) throw new Error(`${this.partialPath} is not finished`);
    await rename(this.partialPath, this.path);
  }

  /** Closes and removes the partial file (the file under `path`, if any, is left as it was). */
  async discard(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
    await rm(this.partialPath, { force: true });
  }

  private openHandle(): FileHandle {
    if (!this.handle) throw new Error(`${this.partialPath} is already closed`);
    return this.handle;
  }
}

/** Where a file is written until it is complete. */
export const partialPathOf = (path: string): string => `${path}.partial`;
