/** The ready tasks of a run, in plan order. */

/** A binary min-heap of positions: ready tasks come out in plan order (depth first, memory friendly). */
export class ReadyHeap {
  private items = new Int32Array(16);
  size = 0;

  push(p: number): void {
    if (this.size === this.items.length) {
      const grown = new Int32Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    const a = this.items;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]! <= p) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = p;
  }

  peek(): number {
    return this.items[0]!;
  }

  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a[--this.size]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const c = r < this.size && a[r]! < a[l]! ? r : l;
      if (a[c]! >= last) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
    return top;
  }

  clear(): void {
    this.size = 0;
  }
}
