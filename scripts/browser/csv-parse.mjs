/**
 * csv-parse for the browser build: the same parser (csv-parse's own state machine, lib/api),
 * without Node's stream.Transform around it. It has what src/io/csv.ts uses of the stream
 * parser: write/end/destroy/once('drain') for pipeline(), and `for await` over the records.
 * Buffer is the `buffer` package's, injected by the build.
 */
import { transform } from "csv-parse/api";

/** Records parsed ahead of the reader before write() asks the source to wait. */
const HIGH_WATER = 4096;

export function parse(options = {}) {
  const api = transform(options);
  let records = [];
  let ended = false;
  let failure;
  let wake;
  let drained = [];
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const push = (record) => records.push(record);
  const close = () => {
    ended = true;
  };
  return {
    write(chunk) {
      if (failure === undefined && !ended) {
        const error = api.parse(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), false, push, close);
        if (error !== undefined) failure = error;
      }
      notify();
      return records.length < HIGH_WATER || failure !== undefined;
    },
    end() {
      if (failure === undefined && !ended) {
        const error = api.parse(undefined, true, push, close);
        if (error !== undefined) failure = error;
      }
      ended = true;
      notify();
    },
    destroy(error) {
      failure ??= error ?? new Error("the CSV parser was destroyed");
      notify();
    },
    once(event, listener) {
      if (event === "drain") drained.push(listener);
    },
    async *[Symbol.asyncIterator]() {
      try {
        for (;;) {
          if (records.length > 0) {
            const batch = records;
            records = [];
            const waiting = drained;
            drained = [];
            for (const listener of waiting) listener();
            yield* batch;
            continue;
          }
          if (failure !== undefined) throw failure;
          if (ended) return;
          await new Promise((resolve) => {
            wake = resolve;
          });
        }
      } finally {
        // the reader stopped (an error of its own, or done): later writes are ignored
        failure ??= new Error("the CSV reader stopped");
        for (const listener of drained) listener();
      }
    },
  };
}
