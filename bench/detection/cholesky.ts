/** Cholesky factor of a symmetric positive-definite matrix, for correlated synthetic features. */

/** Lower-triangular L with L·Lᵀ = a; throws naming the pivot when `a` is not positive definite. */
export function cholesky(a: readonly (readonly number[])[]): number[][] {
  const n = a.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    if ((a[i] as readonly number[]).length !== n)
      throw new RangeError(
        `cholesky: row ${i} has ${(a[i] as readonly number[]).length} entries, expected ${n}`,
      );
    for (let j = 0; j <= i; j++) {
      let s = (a[i] as readonly number[])[j] as number;
      for (let k = 0; k < j; k++) s -= (l[i] as number[])[k]! * (l[j] as number[])[k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`cholesky: matrix is not positive definite (pivot ${i} = ${s})`);
        (l[i] as number[])[i] = Math.sqrt(s);
      } else {
        (l[i] as number[])[j] = s / (l[j] as number[])[j]!;
      }
    }
  }
  return l;
}
