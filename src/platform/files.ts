/**
 * The local file system, as weft uses it: a file's size and kind, a range of its bytes, a stream
 * of them, an atomic write, the path of a file:// URL, and a small text file read at start
 * (package.json). A browser build replaces this module (it has no local paths).
 */
// the shipped declarations name Node's types: this loads @types/node in a project whose tsconfig lists other `types`
/// <reference types="node" preserve="true" />
import { createReadStream, readFileSync } from "node:fs";
import { open, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Readable } from "./streams.js";

export { fileURLToPath as pathOfFileUrl } from "node:url";

/** What a path names: its size in bytes, and whether it is a regular file or a directory. */
export interface FileInfo {
  size: number;
  isFile: boolean;
  isDirectory: boolean;
}

export async function fileInfo(path: string): Promise<FileInfo> {
  const info = await stat(path);
  return { size: info.size, isFile: info.isFile(), isDirectory: info.isDirectory() };
}

/** `length` bytes of the file at `path` from `offset` (fewer only at its end). */
export async function readFileRange(path: string, offset: number, length: number): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const out = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await handle.read(out, got, length - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return out.subarray(0, got);
  } finally {
    await handle.close();
  }
}

/** A stream of the bytes of the file at `path`; a missing file fails on the stream. */
export function fileStream(path: string): Readable {
  return createReadStream(path);
}

/**
 * Writes `data` to `path` atomically: into a temporary file beside it, renamed over `path` at
 * the end and removed when anything fails, so no partial file is ever left behind.
 */
export async function replaceFile(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (cause) {
    await rm(temporary, { force: true });
    throw cause;
  }
}

/** The text of the file at a file:// URL, read at once (for a small file read while loading). */
export function readTextFileSync(url: URL): string {
  return readFileSync(fileURLToPath(url), "utf8");
}

/** The URL a relative path names on a web page; in Node a path is a local file (undefined). */
export function urlOfPagePath(_path: string): string | undefined {
  return undefined;
}
