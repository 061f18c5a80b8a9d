// Elementwise kernels: y = f(x) for the unary ops, z = x op y in vector-vector (VV),
// vector-scalar (VS) and scalar-vector (SV) forms for the binary ones. Output may alias an
// input exactly (in place). exp, log, sigmoid and logSigmoid run two lanes at a time; log1p,
// expm1, tanh and pow call the scalar libm per lane (their SIMD forms are not worth the
// accuracy risk for ops that are rarely on a hot path).
import { ld, st, ldv, stv } from "./memory";
import { expS, logS, expV, logV, log1pS, log1pV, sigmoidS, sigmoidV } from "./math";

const NEG = 0, ABS = 1, EXP = 2, LOG = 3, LOG1P = 4, EXPM1 = 5, SQRT = 6, RECIPROCAL = 7;
const SQUARE = 8, SIGMOID = 9, LOG_SIGMOID = 10, TANH = 11;

@inline function unaryS(op: i32, x: f64): f64 {
  if (op == NEG) return -x;
  if (op == ABS) return abs(x);
  if (op == EXP) return expS(x);
  if (op == LOG) return logS(x);
  if (op == LOG1P) return Math.log1p(x);
  if (op == EXPM1) return Math.expm1(x);
  if (op == SQRT) return sqrt(x);
  if (op == RECIPROCAL) return 1.0 / x;
  if (op == SQUARE) return x * x;
  if (op == SIGMOID) return sigmoidS(x);
  if (op == LOG_SIGMOID) return min(x, 0.0) - log1pS(expS(-abs(x)));
  return Math.tanh(x);
}

@inline function perLane(op: i32, v: v128): v128 {
  return f64x2.replace_lane(
    f64x2.splat(unaryS(op, f64x2.extract_lane(v, 0))), 1, unaryS(op, f64x2.extract_lane(v, 1)));
}

@inline function unaryV(op: i32, v: v128): v128 {
  if (op == NEG) return f64x2.neg(v);
  if (op == ABS) return f64x2.abs(v);
  if (op == EXP) return expV(v);
  if (op == LOG) return logV(v);
  if (op == SQRT) return f64x2.sqrt(v);
  if (op == RECIPROCAL) return f64x2.div(f64x2.splat(1.0), v);
  if (op == SQUARE) return f64x2.mul(v, v);
  if (op == SIGMOID) return sigmoidV(v);
  if (op == LOG_SIGMOID) {
    return f64x2.sub(f64x2.min(v, f64x2.splat(0.0)), log1pV(expV(f64x2.neg(f64x2.abs(v)))));
  }
  return perLane(op, v);
}

@inline function mapUnary(op: i32, n: i32, x: usize, y: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const a = ldv(x, i), b = ldv(x, i + 2);
      stv(y, i, unaryV(op, a));
      stv(y, i + 2, unaryV(op, b));
    }
    for (; i + 2 <= n; i += 2) stv(y, i, unaryV(op, ldv(x, i)));
  }
  for (; i < n; i++) st(y, i, unaryS(op, ld(x, i)));
}

export function neg(n: i32, x: usize, y: usize): void { mapUnary(NEG, n, x, y); }
export function abs_(n: i32, x: usize, y: usize): void { mapUnary(ABS, n, x, y); }
export function exp(n: i32, x: usize, y: usize): void { mapUnary(EXP, n, x, y); }
export function log(n: i32, x: usize, y: usize): void { mapUnary(LOG, n, x, y); }
export function log1p(n: i32, x: usize, y: usize): void { mapUnary(LOG1P, n, x, y); }
export function expm1(n: i32, x: usize, y: usize): void { mapUnary(EXPM1, n, x, y); }
export function sqrt_(n: i32, x: usize, y: usize): void { mapUnary(SQRT, n, x, y); }
export function reciprocal(n: i32, x: usize, y: usize): void { mapUnary(RECIPROCAL, n, x, y); }
export function square(n: i32, x: usize, y: usize): void { mapUnary(SQUARE, n, x, y); }
export function sigmoid(n: i32, x: usize, y: usize): void { mapUnary(SIGMOID, n, x, y); }
export function logSigmoid(n: i32, x: usize, y: usize): void { mapUnary(LOG_SIGMOID, n, x, y); }
export function tanh(n: i32, x: usize, y: usize): void { mapUnary(TANH, n, x, y); }

const ADD = 0, SUB = 1, MUL = 2, DIV = 3, POW = 4, MIN = 5, MAX = 6;

@inline function binaryS(op: i32, a: f64, b: f64): f64 {
  if (op == ADD) return a + b;
  if (op == SUB) return a - b;
  if (op == MUL) return a * b;
  if (op == DIV) return a / b;
  if (op == POW) return Math.pow(a, b);
  if (op == MIN) return min(a, b);
  return max(a, b);
}

@inline function binaryV(op: i32, a: v128, b: v128): v128 {
  if (op == ADD) return f64x2.add(a, b);
  if (op == SUB) return f64x2.sub(a, b);
  if (op == MUL) return f64x2.mul(a, b);
  if (op == DIV) return f64x2.div(a, b);
  if (op == MIN) return f64x2.min(a, b);
  if (op == MAX) return f64x2.max(a, b);
  return f64x2.replace_lane(
    f64x2.splat(binaryS(op, f64x2.extract_lane(a, 0), f64x2.extract_lane(b, 0))),
    1, binaryS(op, f64x2.extract_lane(a, 1), f64x2.extract_lane(b, 1)));
}

// The binary maps stream three arrays: four vectors an iteration through one pointer per
// array with immediate offsets, so address arithmetic does not hold the loop back.
@inline function mapVV(op: i32, n: i32, x: usize, y: usize, z: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 8 <= n; i += 8) {
      const off = <usize>i << 3;
      const px = x + off, py = y + off, pz = z + off;
      const a0 = v128.load(px), a1 = v128.load(px, 16), a2 = v128.load(px, 32), a3 = v128.load(px, 48);
      const b0 = v128.load(py), b1 = v128.load(py, 16), b2 = v128.load(py, 32), b3 = v128.load(py, 48);
      v128.store(pz, binaryV(op, a0, b0));
      v128.store(pz, binaryV(op, a1, b1), 16);
      v128.store(pz, binaryV(op, a2, b2), 32);
      v128.store(pz, binaryV(op, a3, b3), 48);
    }
    for (; i + 2 <= n; i += 2) stv(z, i, binaryV(op, ldv(x, i), ldv(y, i)));
  }
  for (; i < n; i++) st(z, i, binaryS(op, ld(x, i), ld(y, i)));
}

@inline function mapVS(op: i32, n: i32, x: usize, s: f64, z: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const sv = f64x2.splat(s);
    for (; i + 8 <= n; i += 8) {
      const off = <usize>i << 3;
      const px = x + off, pz = z + off;
      const a0 = v128.load(px), a1 = v128.load(px, 16), a2 = v128.load(px, 32), a3 = v128.load(px, 48);
      v128.store(pz, binaryV(op, a0, sv));
      v128.store(pz, binaryV(op, a1, sv), 16);
      v128.store(pz, binaryV(op, a2, sv), 32);
      v128.store(pz, binaryV(op, a3, sv), 48);
    }
    for (; i + 2 <= n; i += 2) stv(z, i, binaryV(op, ldv(x, i), sv));
  }
  for (; i < n; i++) st(z, i, binaryS(op, ld(x, i), s));
}

@inline function mapSV(op: i32, n: i32, s: f64, x: usize, z: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const sv = f64x2.splat(s);
    for (; i + 8 <= n; i += 8) {
      const off = <usize>i << 3;
      const px = x + off, pz = z + off;
      const a0 = v128.load(px), a1 = v128.load(px, 16), a2 = v128.load(px, 32), a3 = v128.load(px, 48);
      v128.store(pz, binaryV(op, sv, a0));
      v128.store(pz, binaryV(op, sv, a1), 16);
      v128.store(pz, binaryV(op, sv, a2), 32);
      v128.store(pz, binaryV(op, sv, a3), 48);
    }
    for (; i + 2 <= n; i += 2) stv(z, i, binaryV(op, sv, ldv(x, i)));
  }
  for (; i < n; i++) st(z, i, binaryS(op, s, ld(x, i)));
}

export function addVV(n: i32, x: usize, y: usize, z: usize): void { mapVV(ADD, n, x, y, z); }
export function subVV(n: i32, x: usize, y: usize, z: usize): void { mapVV(SUB, n, x, y, z); }
export function mulVV(n: i32, x: usize, y: usize, z: usize): void { mapVV(MUL, n, x, y, z); }
export function divVV(n: i32, x: usize, y: usize, z: usize): void { mapVV(DIV, n, x, y, z); }
export function powVV(n: i32, x: usize, y: usize, z: usize): void { mapVV(POW, n, x, y, z); }
export function minVV(n: i32, x: usize, y: usize, z: usize): void { mapVV(MIN, n, x, y, z); }
export function maxVV(n: i32, x: usize, y: usize, z: usize): void { mapVV(MAX, n, x, y, z); }

export function addVS(n: i32, x: usize, s: f64, z: usize): void { mapVS(ADD, n, x, s, z); }
export function subVS(n: i32, x: usize, s: f64, z: usize): void { mapVS(SUB, n, x, s, z); }
export function mulVS(n: i32, x: usize, s: f64, z: usize): void { mapVS(MUL, n, x, s, z); }
export function divVS(n: i32, x: usize, s: f64, z: usize): void { mapVS(DIV, n, x, s, z); }
export function powVS(n: i32, x: usize, s: f64, z: usize): void { mapVS(POW, n, x, s, z); }
export function minVS(n: i32, x: usize, s: f64, z: usize): void { mapVS(MIN, n, x, s, z); }
export function maxVS(n: i32, x: usize, s: f64, z: usize): void { mapVS(MAX, n, x, s, z); }

export function addSV(n: i32, s: f64, x: usize, z: usize): void { mapSV(ADD, n, s, x, z); }
export function subSV(n: i32, s: f64, x: usize, z: usize): void { mapSV(SUB, n, s, x, z); }
export function mulSV(n: i32, s: f64, x: usize, z: usize): void { mapSV(MUL, n, s, x, z); }
export function divSV(n: i32, s: f64, x: usize, z: usize): void { mapSV(DIV, n, s, x, z); }
export function powSV(n: i32, s: f64, x: usize, z: usize): void { mapSV(POW, n, s, x, z); }
export function minSV(n: i32, s: f64, x: usize, z: usize): void { mapSV(MIN, n, s, x, z); }
export function maxSV(n: i32, s: f64, x: usize, z: usize): void { mapSV(MAX, n, s, x, z); }
