/**
 * Streams of bytes in the browser build: async iterables of Uint8Array, which is all a reader
 * consumes (`for await`), and pipeline() feeding one into a parser that has write() and end().
 */
export type Readable = AsyncIterable<Uint8Array>;

/** The pieces themselves: an async iterable is a stream here. */
export function byteStream(pieces: AsyncIterable<Uint8Array>): Readable {
  return pieces;
}

/** A parser fed by pipeline(): written to, ended, or destroyed with the source's error. */
interface Writable {
  write(chunk: Uint8Array): boolean;
  end(): void;
  destroy(error?: Error): void;
  once(event: "drain", listener: () => void): void;
}

/** Feeds `source` into `parser` (waiting when it asks), ends it, and destroys it with the source's error. */
export function pipeline(source: Readable, parser: Writable, done: (error?: Error) => void): void {
  (async () => {
    for await (const chunk of source) {
      if (!parser.write(chunk)) await new Promise<void>((resolve) => parser.once("drain", resolve));
    }
    parser.end();
  })().then(
    () => done(),
    (error: Error) => {
      parser.destroy(error);
      done(error);
    },
  );
}
