// Exact decimal numbers on BigInt, mirroring the server's decimal.Decimal where verdicts
// depend on it: a value is coef × 10^exp. Addition, subtraction and multiplication are exact
// (the engine's inputs are capped at 15 + 15 digits, so Python's 34-digit context never
// rounds them); division and square root round half-even to 34 significant digits exactly
// like Python's ENGINE_CONTEXT, so a verdict cannot differ by a binary float's noise.

export const PRECISION = 34;
const MAX_PLACES = 15;
const MAX_DIGITS = 15;

export class Dec {
  constructor(coef, exp) {
    this.c = coef; // BigInt
    this.e = exp; // integer exponent
  }

  static of(value) {
    if (value instanceof Dec) return value;
    if (typeof value === 'bigint') return new Dec(value, 0);
    if (typeof value === 'number') {
      // Like Python's Decimal(str(x)): the shortest text that round-trips is what was typed.
      if (!Number.isFinite(value)) return null;
      return Dec.parse(String(value));
    }
    if (typeof value === 'string') return Dec.parse(value);
    return null;
  }

  static parse(text) {
    const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
    if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) return null;
    const frac = m[3] || '';
    let coef = BigInt((m[2] || '0') + frac);
    if (m[1] === '-') coef = -coef;
    const exp = (m[4] ? parseInt(m[4], 10) : 0) - frac.length;
    return new Dec(coef, exp);
  }

  isZero() { return this.c === 0n; }
  sign() { return this.c > 0n ? 1 : this.c < 0n ? -1 : 0; }
  neg() { return new Dec(-this.c, this.e); }
  abs() { return this.c < 0n ? this.neg() : this; }

  digits() { return digitCount(this.c); }
  /** Exponent of the leading digit (Python's Decimal.adjusted()). */
  adjusted() { return this.e + this.digits() - 1; }

  static align(a, b) {
    const e = Math.min(a.e, b.e);
    return [a.c * pow10(a.e - e), b.c * pow10(b.e - e), e];
  }

  add(o) { const [x, y, e] = Dec.align(this, Dec.of(o)); return round(new Dec(x + y, e)); }
  sub(o) { const [x, y, e] = Dec.align(this, Dec.of(o)); return round(new Dec(x - y, e)); }
  mul(o) { o = Dec.of(o); return round(new Dec(this.c * o.c, this.e + o.e)); }
  cmp(o) { const [x, y] = Dec.align(this, Dec.of(o)); return x < y ? -1 : x > y ? 1 : 0; }
  eq(o) { return this.cmp(o) === 0; }
  lt(o) { return this.cmp(o) < 0; }
  le(o) { return this.cmp(o) <= 0; }
  gt(o) { return this.cmp(o) > 0; }
  ge(o) { return this.cmp(o) >= 0; }

  /** Division rounded half-even to 34 significant digits (Python's context division). */
  div(o) {
    o = Dec.of(o);
    if (o.c === 0n) throw new RangeError('division by zero');
    if (this.c === 0n) return new Dec(0n, this.e - o.e);
    // Scale the dividend so the integer quotient has at least PRECISION + 1 digits.
    const shift = Math.max(0, PRECISION + 1 - (digitCount(this.c) - digitCount(o.c)));
    const num = absBig(this.c) * pow10(shift);
    const den = absBig(o.c);
    const q = num / den;
    const exact = q * den === num;
    const negative = (this.c < 0n) !== (o.c < 0n);
    const result = roundSticky(q, this.e - o.e - shift, !exact);
    return negative ? result.neg() : result;
  }

  /** Square root rounded half-even to 34 significant digits (Python's Decimal.sqrt). */
  sqrt() {
    if (this.c < 0n) throw new RangeError('square root of a negative number');
    if (this.c === 0n) return new Dec(0n, Math.floor(this.e / 2));
    // Make the exponent even and the coefficient long enough for PRECISION + 1 digits.
    let c = this.c;
    let e = this.e;
    let extra = Math.max(0, 2 * (PRECISION + 1) - digitCount(c));
    if ((e - extra) % 2 !== 0) extra += 1;
    c *= pow10(extra);
    e -= extra;
    const r = isqrt(c);
    return roundSticky(r, e / 2, r * r !== c);
  }

  /** Round to an integral value with one of the rounding modes of the rule packs. */
  toIntegral(mode) {
    if (this.e >= 0) return this;
    const d = pow10(-this.e);
    let q = this.c / d; // truncates towards zero
    const r = this.c - q * d;
    if (r !== 0n) {
      const twice = absBig(r) * 2n;
      const up = this.c > 0n;
      if (mode === 'up') {
        if (up) q += 1n; // towards +infinity (ROUND_CEILING)
      } else if (twice > d || (twice === d && (mode === 'half_up' || (q % 2n !== 0n)))) {
        q += up ? 1n : -1n;
      }
    }
    return new Dec(q, 0);
  }

  /** Round half-even to ``places`` decimals (Python's quantize for figures shown to people). */
  quantize(places) {
    const shifted = new Dec(this.c, this.e + places);
    const whole = shifted.e >= 0 ? shifted.c * pow10(shifted.e) : shifted.toIntegral('half_even').c;
    return new Dec(whole, -places);
  }

  /** Canonical text: no exponent, no trailing zeros, no negative zero (dec_str). */
  toString() {
    if (this.c === 0n) return '0';
    let c = this.c;
    let e = this.e;
    while (c % 10n === 0n) { c /= 10n; e += 1; }
    const negative = c < 0n;
    let digits = absBig(c).toString();
    if (e >= 0) digits += '0'.repeat(e);
    else {
      const places = -e;
      if (digits.length <= places) digits = '0'.repeat(places - digits.length + 1) + digits;
      digits = `${digits.slice(0, digits.length - places)}.${digits.slice(digits.length - places)}`;
    }
    return (negative ? '-' : '') + digits;
  }

  /** The value as c / 10^k with k ≥ 0, for exact integer comparisons. */
  scaledTo(places) {
    return this.c * pow10(this.e + places);
  }

  toNumber() { return Number(this.toString()); }
}

/** Engine input check (quantities.to_decimal): finite, < 10^15, at most 15 decimals. */
export function toEngineDecimal(value) {
  if (typeof value === 'boolean' || value === null || value === undefined) return null;
  const d = Dec.of(value);
  if (d === null) return null;
  if (d.c === 0n) return d;
  const adjusted = d.adjusted();
  if (adjusted < -MAX_PLACES || adjusted >= MAX_DIGITS) return null;
  // The denominator of the reduced ratio must not exceed 10^15.
  let c = d.c;
  let e = d.e;
  while (e < 0 && c % 10n === 0n) { c /= 10n; e += 1; }
  if (e < -MAX_PLACES) return null;
  return d;
}

/** Human text with thousands grouped by a space, as quantities.fmt: 10011 → "10 011". */
export function fmt(value, sign = false) {
  const d = Dec.of(value);
  const text = d.toString();
  const negative = text.startsWith('-');
  const [whole, frac] = text.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ' ') + (frac ? `.${frac}` : '');
  if (negative) return `-${grouped}`;
  return sign && !d.isZero() ? `+${grouped}` : grouped;
}

function digitCount(c) {
  return c === 0n ? 1 : absBig(c).toString().length;
}

function absBig(c) { return c < 0n ? -c : c; }

const POW10 = [];
export function pow10(n) {
  if (n < 0) throw new RangeError('negative power');
  if (n < 64) {
    if (POW10[n] === undefined) POW10[n] = 10n ** BigInt(n);
    return POW10[n];
  }
  return 10n ** BigInt(n);
}

function isqrt(n) {
  if (n < 2n) return n;
  // Newton's iteration from a power of two above the root: decreases monotonically to
  // floor(sqrt(n)), exact in BigInt.
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Round a non-negative integer q × 10^e half-even to PRECISION digits; ``sticky`` means
 * the true value lies strictly above q (digits were cut off below it). */
function roundSticky(q, e, sticky) {
  const n = digitCount(q);
  if (n <= PRECISION) {
    // Python would keep these digits exactly; sticky only happens with > PRECISION digits.
    return new Dec(q, e);
  }
  const cut = n - PRECISION;
  const d = pow10(cut);
  let head = q / d;
  const rest = q - head * d;
  const twice = rest * 2n;
  if (twice > d || (twice === d && (sticky || head % 2n !== 0n))) head += 1n;
  return new Dec(head, e + cut);
}

/** Context rounding of an exact product (only reached with more than 34 digits). */
function round(d) {
  if (digitCount(d.c) <= PRECISION) return d;
  const negative = d.c < 0n;
  const r = roundSticky(absBig(d.c), d.e, false);
  return negative ? r.neg() : r;
}
