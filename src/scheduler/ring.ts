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
  constructor(
    private readonly words: Int32Array,
    private readonly headIndex: number,
    private readonly tailIndex: number,
    private readonly base: number,
    private readonly entryWords: number,
  ) {}

  /** Entries published and not yet taken. */
  size(): number {
    return (Atomics.load(this.words, this.tailIndex) - Atomics.load(this.words, this.headIndex)) | 0;
  }

  /** Room left for the producer. */
  room(): number {
    return RING_CAPACITY - this.size();
  }

  /** Producer: writes one entry and publishes it. The caller checked room() first. */
  push3(a: number, b: number, c: number): void {
    const tail = Atomics.load(this.words, this.tailIndex);
    const at = this.base + (tail & MASK) * this.entryWords;
    this.words[at] = a;
    this.words[at + 1] = b;
    if (this.entryWords > 2) this.words[at + 2] = c;
    Atomics.store(this.words, this.tailIndex, (tail + 1) | 0);
  }

  push2(a: number, b: number): void {
    this.push3(a, b, 0);
  }

  /**
   * Consumer: copies the next entry into `out` and takes it; false when the ring is empty.
   * Reads the tail first (acquire), so the entry's words are those the producer wrote.
   */
  pop(out: Int32Array): boolean {
    const head = Atomics.load(this.words, this.headIndex);
    if (head === Atomics.load(this.words, this.tailIndex)) return false;
    const at = this.base + (head & MASK) * this.entryWords;
    for (let w = 0; w < this.entryWords; w++) out[w] = this.words[at + w]!;
    Atomics.store(this.words, this.headIndex, (head + 1) | 0);
    return true;
  }

  /** The tail word's current value: what a sleeping consumer waits on. */
  tail(): number {
    return Atomics.load(this.words, this.tailIndex);
  }
}
