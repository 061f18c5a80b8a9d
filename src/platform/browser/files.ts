/**
 * Local files in the browser build: a page has no file system paths. Readers take a URL, a File,
 * a Blob or an ArrayBuffer there; every function here fails with a message that says so.
 */
import type { FileInfo as NodeFileInfo } from "../files.js";
import { scope } from "./globals.js";
import type { Readable } from "./streams.js";

export type FileInfo = NodeFileInfo;

function noPaths(path: string): Error {
  return new Error(`a browser has no local files ('${path}'): pass a URL, a File, a Blob or an ArrayBuffer`);
}

export async function fileInfo(path: string): Promise<FileInfo> {
  throw noPaths(path);
}

export async function readFileRange(path: string, _offset: number, _length: number): Promise<Uint8Array> {
  throw noPaths(path);
}

export function fileStream(path: string): Readable {
  throw noPaths(path);
}

export async function replaceFile(path: string, _data: Uint8Array | string): Promise<void> {
  throw noPaths(path);
}

export function pathOfFileUrl(url: string | URL): string {
  throw noPaths(String(url));
}

export function readTextFileSync(url: URL): string {
  throw noPaths(url.href);
}

/** A path on a page names a file beside the page: its URL. */
export function urlOfPagePath(path: string): string | undefined {
  return new URL(path, scope.location?.href).href;
}
