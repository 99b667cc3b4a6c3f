// Counter-based randomness: Philox4x32-10 and the integer samplers built on it.
// Mirrors src/engine/rng.rs function by function; WGSL has no 64-bit integers, so the 64-bit
// products are formed from 16-bit halves.

const PHILOX_M0: u32 = 0xD2511F53u;
const PHILOX_M1: u32 = 0xCD9E8D57u;
const PHILOX_W0: u32 = 0x9E3779B9u;
const PHILOX_W1: u32 = 0xBB67AE85u;
const LOG2_FRAC_BITS: u32 = 26u;

// High and low words of the 64-bit product a * b.
fn mul_hi_lo(a: u32, b: u32) -> vec2<u32> {
    let a0 = a & 0xFFFFu;
    let a1 = a >> 16u;
    let b0 = b & 0xFFFFu;
    let b1 = b >> 16u;
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 16u) + (p01 & 0xFFFFu) + (p10 & 0xFFFFu);
    let hi = p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
    let lo = (mid << 16u) | (p00 & 0xFFFFu);
    return vec2<u32>(hi, lo);
}

fn philox_round(ctr: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
    let p0 = mul_hi_lo(PHILOX_M0, ctr.x);
    let p1 = mul_hi_lo(PHILOX_M1, ctr.z);
    return vec4<u32>(p1.x ^ ctr.y ^ key.x, p1.y, p0.x ^ ctr.w ^ key.y, p0.y);
}

fn philox4x32_10(ctr_in: vec4<u32>, key_in: vec2<u32>) -> vec4<u32> {
    var ctr = ctr_in;
    var key = key_in;
    ctr = philox_round(ctr, key);
    for (var i = 1u; i < 10u; i++) {
        key = vec2<u32>(key.x + PHILOX_W0, key.y + PHILOX_W1);
        ctr = philox_round(ctr, key);
    }
    return ctr;
}

// Counter layout: (trajectory low word, stream, draw, trajectory high word); key = seed.
fn draw(seed: vec2<u32>, trajectory: vec2<u32>, stream: u32, counter: u32) -> vec4<u32> {
    return philox4x32_10(vec4<u32>(trajectory.x, stream, counter, trajectory.y), seed);
}

// -log2(u / 2^32) in Q6.26 (see neg_log2_q26 in rng.rs).
fn neg_log2_q26(u: u32) -> u32 {
    let y = u | 1u;
    let lz = countLeadingZeros(y);
    let exponent = 31u - lz;
    let frac = (y << lz) << 1u;
    let i = frac >> 24u;
    let r = (frac >> 12u) & 0xFFFu;
    let lo = table_word(globals.off_log2 + i);
    let hi = table_word(globals.off_log2 + i + 1u);
    let log2_mantissa = lo + (((hi - lo) * r) >> 12u);
    return ((32u - exponent) << LOG2_FRAC_BITS) - log2_mantissa;
}

// floor(a * b / 2^shift), saturated to 0xFFFFFFFF.
fn mul_shr_sat(a: u32, b: u32, shift: u32) -> u32 {
    let p = mul_hi_lo(a, b);
    let hi = p.x;
    let lo = p.y;
    if (shift >= 64u) {
        return 0u;
    }
    if (shift >= 32u) {
        return hi >> (shift - 32u);
    }
    if (shift == 0u) {
        return select(lo, 0xFFFFFFFFu, hi != 0u);
    }
    if ((hi >> shift) != 0u) {
        return 0xFFFFFFFFu;
    }
    return (hi << (32u - shift)) | (lo >> shift);
}

// Hours of one geometric sojourn (>= 1) for the uniform word u, capped at `cap`.
fn sojourn_sample(mantissa: u32, shift: u32, u: u32, cap: u32) -> u32 {
    let e = neg_log2_q26(u);
    let extra = mul_shr_sat(e, mantissa, shift);
    return min(extra, cap - 1u) + 1u;
}
