const EMPTY = new Float64Array(0);

/**
 * Exact counts per bucket index in a dense, growable Float64Array (exact integers up to 2^53).
 * At most `maxBuckets` indices are kept: when the occupied range would exceed it, the lowest
 * indices (smallest magnitudes) are folded into the lowest kept bucket. The fold depends only
 * on the highest index ever seen, so adding values in any order, or merging stores, gives the
 * same counts as adding the union.
 */
export class DenseStore {
  /** Counts; counts[j] is for index offset + j. */
  counts: Float64Array;
  /** Index held by counts[0]. */
  offset = 0;
  /** Lowest occupied index (valid when lo ≤ hi). */
  lo = 0;
  /** Highest occupied index; hi < lo means empty. */
  hi = -1;

  /** @param maxBuckets most indices kept before the lowest are collapsed. */
  constructor(readonly maxBuckets: number) {
    // Allocated on the first add: many stores (the negative one, merge targets) stay empty.
    this.counts = EMPTY;
  }

  /** True when nothing was added. */
  get empty(): boolean {
    return this.hi < this.lo;
  }

  /** Sum of all counts. */
  total(): number {
    let t = 0;
    for (let i = this.lo; i <= this.hi; i++) t += this.counts[i - this.offset];
    return t;
  }

  /** Count at one index (0 outside the range). */
  get(index: number): number {
    return index < this.lo || index > this.hi ? 0 : this.counts[index - this.offset];
  }

  /** Adds `weight` at `index`; the fast case is one range check and one write. */
  add(index: number, weight = 1): void {
    if (index >= this.lo && index <= this.hi) {
      this.counts[index - this.offset] += weight;
      return;
    }
    this.addOutside(index, weight);
  }

  private addOutside(index: number, weight: number): void {
    if (this.empty) {
      if (this.counts.length === 0) this.counts = new Float64Array(Math.min(64, this.maxBuckets));
      else this.counts.fill(0);
      this.offset = index - (this.counts.length >> 1);
      this.lo = index;
      this.hi = index;
      this.counts[index - this.offset] += weight;
      return;
    }
    const newHi = Math.max(this.hi, index);
    const floor = newHi - this.maxBuckets + 1;
    let target = index;
    let newLo = Math.min(this.lo, index);
    if (newLo < floor) {
      // Fold everything below the floor into the floor bucket.
      let folded = 0;
      for (let i = this.lo; i < floor && i <= this.hi; i++) {
        folded += this.counts[i - this.offset];
        this.counts[i - this.offset] = 0;
      }
      if (target < floor) target = floor;
      newLo = floor;
      if (this.lo < floor) this.lo = Math.min(floor, this.hi + 1);
      this.ensureWindow(newLo, newHi, index > this.hi);
      this.counts[floor - this.offset] += folded;
    } else {
      this.ensureWindow(newLo, newHi, index > this.hi);
    }
    this.counts[target - this.offset] += weight;
    this.lo = newLo;
    this.hi = newHi;
  }

  /** Makes [lo, hi] addressable, reallocating (capacity ≤ maxBuckets) with slack on the growing side. */
  private ensureWindow(lo: number, hi: number, growingUp: boolean): void {
    const cap = this.counts.length;
    if (lo >= this.offset && hi < this.offset + cap) return;
    const span = hi - lo + 1;
    let newCap = Math.max(cap, 1);
    while (newCap < span) newCap *= 2;
    if (newCap > this.maxBuckets) newCap = Math.max(span, this.maxBuckets);
    const newOffset = growingUp ? lo : hi - newCap + 1;
    const next = new Float64Array(newCap);
    for (let i = this.lo; i <= this.hi; i++) {
      const c = this.counts[i - this.offset];
      if (c !== 0) next[i - newOffset] += c;
    }
    this.counts = next;
    this.offset = newOffset;
  }

  /** Adds every bucket of `other` (exact, bucket-wise). */
  mergeFrom(other: DenseStore): void {
    if (other.empty) return;
    const lo = Math.min(this.lo, other.lo);
    const hi = Math.max(this.hi, other.hi);
    if (!this.empty && hi - lo < this.maxBuckets) {
      // No fold can happen: make the union addressable once (capacity grows by doubling, so a
      // store that keeps absorbing others reallocates rarely), then add bucket by bucket.
      this.ensureWindow(lo, hi, other.hi > this.hi);
      const counts = this.counts;
      const shift = other.offset - this.offset;
      const from = other.counts;
      for (let j = other.lo - other.offset; j <= other.hi - other.offset; j++) counts[j + shift] += from[j];
      this.lo = lo;
      this.hi = hi;
      return;
    }
    // Highest first so the floor is final before low buckets arrive: fewer folds, same result.
    for (let i = other.hi; i >= other.lo; i--) {
      const c = other.counts[i - other.offset];
      if (c !== 0) this.add(i, c);
    }
  }

  /**
   * Fills an empty store with `n` buckets given in ascending index order (`indices[k]` holds
   * `counts[k]`), allocating once: what decoding a serialized store needs, without growing
   * bucket by bucket. Indices spanning more than `maxBuckets` fold as `add` would.
   */
  fillAscending(indices: ArrayLike<number>, counts: ArrayLike<number>, n: number): void {
    if (n === 0) return;
    const lo = indices[0];
    const hi = indices[n - 1];
    if (!this.empty || hi - lo >= this.maxBuckets) {
      for (let k = n - 1; k >= 0; k--) this.add(indices[k], counts[k]);
      return;
    }
    const size = hi - lo + 1;
    if (this.counts.length < size) this.counts = new Float64Array(size);
    else this.counts.fill(0);
    this.offset = lo;
    for (let k = 0; k < n; k++) this.counts[indices[k] - lo] += counts[k];
    this.lo = lo;
    this.hi = hi;
  }

  /** Independent copy. */
  clone(): DenseStore {
    const copy = new DenseStore(this.maxBuckets);
    copy.counts = this.counts.slice();
    copy.offset = this.offset;
    copy.lo = this.lo;
    copy.hi = this.hi;
    return copy;
  }
}
