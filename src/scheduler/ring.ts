/**
 * Single-producer single-consumer rings of fixed-size entries in shared memory: the inbox of a
 * worker (the main thread writes, the worker reads) and its outbox (the reverse). The head and
 * tail are free-running counters; an entry is written before the tail that publishes it is
 * stored (Atomics.store), and read only after the tail is loaded (Atomics.load), so the entry's
 * words are visible to the reader without further fences.
 */
import { RING_CAPACITY } from "./protocol.js";

const MASK = RING_CAPACITY - 1;

export class Ring {
  // Each side keeps its own index in a local variable (it is the only writer) and a cached copy
  // of the other side's, re-read only when the cache says empty: a word the other thread
  // writes is read once per batch, not once per entry.
  private localTail: number;
  private localHead: number;
  private cachedTail: number;

  constructor(
    private readonly words: Int32Array,
    private readonly headIndex: number,
    private readonly tailIndex: number,
    private readonly base: number,
    private readonly entryWords: number,
  ) {
    this.localTail = Atomics.load(words, tailIndex);
    this.localHead = Atomics.load(words, headIndex);
    this.cachedTail = this.localTail;
  }

  /** Entries published and not yet taken. */
  size(): number {
    return (Atomics.load(this.words, this.tailIndex) - Atomics.load(this.words, this.headIndex)) | 0;
  }

  /** Producer: writes one entry and publishes it. The caller made sure there is room (it counts what it pushed and what came back). */
  push3(a: number, b: number, c: number): void {
    const tail = this.localTail;
    const at = this.base + (tail & MASK) * this.entryWords;
    this.words[at] = a;
    this.words[at + 1] = b;
    if (this.entryWords > 2) this.words[at + 2] = c;
    this.localTail = (tail + 1) | 0;
    Atomics.store(this.words, this.tailIndex, this.localTail);
  }

  push2(a: number, b: number): void {
    this.push3(a, b, 0);
  }

  /**
   * Consumer: copies the next entry into `out` and takes it; false when the ring is empty.
   * The tail is loaded (acquire) before the entry is read, so its words are those written.
   */
  pop(out: Int32Array): boolean {
    const head = this.localHead;
    if (head === this.cachedTail) {
      this.cachedTail = Atomics.load(this.words, this.tailIndex);
      if (head === this.cachedTail) return false;
    }
    const at = this.base + (head & MASK) * this.entryWords;
    for (let w = 0; w < this.entryWords; w++) out[w] = this.words[at + w]!;
    this.localHead = (head + 1) | 0;
    Atomics.store(this.words, this.headIndex, this.localHead);
    return true;
  }

  /** Consumer: whether an entry is waiting (one load of the producer's word). */
  hasEntry(): boolean {
    if (this.localHead !== this.cachedTail) return true;
    this.cachedTail = Atomics.load(this.words, this.tailIndex);
    return this.localHead !== this.cachedTail;
  }

  /** The tail word's current value: what a sleeping consumer waits on. */
  tail(): number {
    return Atomics.load(this.words, this.tailIndex);
  }
}
