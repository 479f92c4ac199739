// Radix-2 FFT and linear autocorrelation sums. Zero padding to a power of two of at least
// 2n gives the same (non-circular) autocorrelation that R's posterior and loo obtain with
// their 2 * nextn(n) padding; only the rounding differs.

interface Plan {
  cos: Float64Array;
  sin: Float64Array;
  rev: Uint32Array;
  re: Float64Array;
  im: Float64Array;
}

const plans = new Map<number, Plan>();

function plan(size: number): Plan {
  let p = plans.get(size);
  if (p) return p;
  const half = size >> 1;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let i = 0; i < half; i++) {
    cos[i] = Math.cos((2 * Math.PI * i) / size);
    sin[i] = Math.sin((2 * Math.PI * i) / size);
  }
  const rev = new Uint32Array(size);
  let bits = 0;
  while ((1 << bits) < size) bits++;
  for (let i = 0; i < size; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    rev[i] = r;
  }
  p = { cos, sin, rev, re: new Float64Array(size), im: new Float64Array(size) };
  plans.set(size, p);
  return p;
}

/** Smallest power of two >= n. */
export function pow2AtLeast(n: number): number {
  let m = 1;
  while (m < n) m *= 2;
  return m;
}

/**
 * In-place complex FFT of length `re.length` (a power of two). `inverse` uses the positive
 * exponent and does not scale, like R's `fft(z, inverse = TRUE)`.
 */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  const { cos, sin, rev } = plan(n);
  for (let i = 0; i < n; i++) {
    const j = rev[i];
    if (j > i) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const step = n / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step];
        const wi = sign * sin[k * step];
        const a = i + k;
        const b = a + half;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
      }
    }
  }
}

/**
 * Linear autocorrelation sums `out[k] = sum_t y[t] * y[t + k]` for k < n of one or two real
 * series at once (`y2` packed into the imaginary part). Series are `y[from..from+n)`.
 */
export function autocorrSums(
  y1: Float64Array,
  from1: number,
  out1: Float64Array,
  n: number,
  y2?: Float64Array,
  from2 = 0,
  out2?: Float64Array,
): void {
  const size = pow2AtLeast(2 * n);
  const { re, im } = plan(size);
  re.fill(0);
  im.fill(0);
  for (let t = 0; t < n; t++) re[t] = y1[from1 + t];
  if (y2) { for (let t = 0; t < n; t++) im[t] = y2[from2 + t]; }
  fft(re, im);
  // Power spectra of both real series: |X1|^2 in re, |X2|^2 in im.
  for (let k = 0; k <= size >> 1; k++) {
    const j = (size - k) & (size - 1);
    const ar = re[k];
    const ai = im[k];
    const br = re[j];
    const bi = im[j];
    const p1 = ((ar + br) * (ar + br) + (ai - bi) * (ai - bi)) / 4;
    const p2 = ((ai + bi) * (ai + bi) + (ar - br) * (ar - br)) / 4;
    re[k] = p1;
    im[k] = p2;
    re[j] = p1;
    im[j] = p2;
  }
  fft(re, im, true);
  for (let k = 0; k < n; k++) out1[k] = re[k] / size;
  if (y2 && out2) { for (let k = 0; k < n; k++) out2[k] = im[k] / size; }
}
