// Inverted dropout with ernie's counter-based mask (RandomGenerator: SplitMix64 read by counter). Element i is kept when
// the top 24 bits of mix(seed + (counter + i + 1) · γ) reach `threshold` = ⌈p · 2²⁴⌉, which is uniformFloat ≥ p exactly.
// The 64-bit multiplies vectorise with AVX-512DQ, or on AVX2 as three 32 × 32 → 64-bit ones (chosen at run time); the
// scalar loop is the same arithmetic.
#include "CShims.h"
#include <immintrin.h>

#define GAMMA 0x9E3779B97F4A7C15ull
#define MIX1 0xBF58476D1CE4E5B9ull
#define MIX2 0x94D049BB133111EBull

static inline uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * MIX1;
    z = (z ^ (z >> 27)) * MIX2;
    return z ^ (z >> 31);
}

static inline int keeps(uint64_t seed, uint64_t index, uint64_t threshold) {
    return (mix(seed + (index + 1) * GAMMA) >> 40) >= threshold;
}

static void dropout_scalar(float *out, const float *input, const float *addend, int64_t count, uint64_t threshold,
                           float scale, uint64_t seed, uint64_t counter) {
    for (int64_t i = 0; i < count; i++) {
        float value = keeps(seed, counter + (uint64_t)i, threshold) ? input[i] * scale : 0.0f;
        out[i] = addend ? addend[i] + value : value;
    }
}

__attribute__((target("avx512f,avx512dq")))
static inline __mmask8 keeps8(__m512i index, __m512i seed, __m512i threshold) {
    const __m512i gamma = _mm512_set1_epi64((long long)GAMMA);
    __m512i z = _mm512_add_epi64(seed, _mm512_mullo_epi64(_mm512_add_epi64(index, _mm512_set1_epi64(1)), gamma));
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), _mm512_set1_epi64((long long)MIX1));
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), _mm512_set1_epi64((long long)MIX2));
    z = _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
    return _mm512_cmpge_epu64_mask(_mm512_srli_epi64(z, 40), threshold);
}

__attribute__((target("avx512f,avx512dq")))
static void dropout_avx512(float *out, const float *input, const float *addend, int64_t count, uint64_t threshold,
                           float scale, uint64_t seed, uint64_t counter) {
    const __m512i seeds = _mm512_set1_epi64((long long)seed), thresholds = _mm512_set1_epi64((long long)threshold);
    const __m512i lanes = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
    const __m512 scales = _mm512_set1_ps(scale);
    int64_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512i low = _mm512_add_epi64(_mm512_set1_epi64((long long)(counter + (uint64_t)i)), lanes);
        __m512i high = _mm512_add_epi64(low, _mm512_set1_epi64(8));
        __mmask16 mask = (__mmask16)(keeps8(low, seeds, thresholds) | ((unsigned)keeps8(high, seeds, thresholds) << 8));
        __m512 value = _mm512_maskz_mul_ps(mask, _mm512_loadu_ps(input + i), scales);
        if (addend) value = _mm512_add_ps(_mm512_loadu_ps(addend + i), value);
        _mm512_storeu_ps(out + i, value);
    }
    dropout_scalar(out + i, input + i, addend ? addend + i : 0, count - i, threshold, scale, seed, counter + (uint64_t)i);
}

// a · b mod 2⁶⁴ per 64-bit lane, from AVX2's 32 × 32 → 64-bit multiplies: lo·lo + (hi·lo + lo·hi) · 2³².
__attribute__((target("avx2")))
static inline __m256i multiply64(__m256i a, uint64_t b) {
    const __m256i b_low = _mm256_set1_epi64x((long long)(b & 0xffffffffu)), b_high = _mm256_set1_epi64x((long long)(b >> 32));
    __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(a, 32), b_low), _mm256_mul_epu32(a, b_high));
    return _mm256_add_epi64(_mm256_mul_epu32(a, b_low), _mm256_slli_epi64(cross, 32));
}

// All-ones 64-bit lanes where mix(z) keeps the element: its top 24 bits ≥ threshold (both < 2⁶³, so the signed
// compare is the unsigned one).
__attribute__((target("avx2")))
static inline __m256i keeps4(__m256i z, __m256i threshold) {
    z = multiply64(_mm256_xor_si256(z, _mm256_srli_epi64(z, 30)), MIX1);
    z = multiply64(_mm256_xor_si256(z, _mm256_srli_epi64(z, 27)), MIX2);
    z = _mm256_xor_si256(z, _mm256_srli_epi64(z, 31));
    return _mm256_xor_si256(_mm256_cmpgt_epi64(threshold, _mm256_srli_epi64(z, 40)), _mm256_set1_epi64x(-1));
}

__attribute__((target("avx2")))
static void dropout_avx2(float *out, const float *input, const float *addend, int64_t count, uint64_t threshold,
                         float scale, uint64_t seed, uint64_t counter) {
    const __m256i thresholds = _mm256_set1_epi64x((long long)threshold);
    // Lane j of `low` holds seed + (counter + i + j + 1) · γ (low + 4γ: elements j + 4); each step of 8 adds 8γ.
    __m256i low = _mm256_set_epi64x((long long)(seed + (counter + 4) * GAMMA), (long long)(seed + (counter + 3) * GAMMA),
                                    (long long)(seed + (counter + 2) * GAMMA), (long long)(seed + (counter + 1) * GAMMA));
    const __m256i four = _mm256_set1_epi64x((long long)(4 * GAMMA)), eight = _mm256_set1_epi64x((long long)(8 * GAMMA));
    const __m256i pick_low_halves = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
    const __m256 scales = _mm256_set1_ps(scale);
    int64_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256i keep_low = _mm256_permutevar8x32_epi32(keeps4(low, thresholds), pick_low_halves);
        __m256i keep_high = _mm256_permutevar8x32_epi32(keeps4(_mm256_add_epi64(low, four), thresholds), pick_low_halves);
        __m256 mask = _mm256_castsi256_ps(_mm256_permute2x128_si256(keep_low, keep_high, 0x20));
        __m256 value = _mm256_and_ps(mask, _mm256_mul_ps(_mm256_loadu_ps(input + i), scales));
        if (addend) value = _mm256_add_ps(_mm256_loadu_ps(addend + i), value);
        _mm256_storeu_ps(out + i, value);
        low = _mm256_add_epi64(low, eight);
    }
    dropout_scalar(out + i, input + i, addend ? addend + i : 0, count - i, threshold, scale, seed, counter + (uint64_t)i);
}

void ernie_dropout(float *out, const float *input, const float *addend, int64_t count, uint64_t threshold, float scale,
                   uint64_t seed, uint64_t counter) {
    static int path = -1;  // 2: AVX-512DQ, 1: AVX2, 0: scalar
    if (path < 0) path = __builtin_cpu_supports("avx512dq") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
    if (path == 2) dropout_avx512(out, input, addend, count, threshold, scale, seed, counter);
    else if (path == 1) dropout_avx2(out, input, addend, count, threshold, scale, seed, counter);
    else dropout_scalar(out, input, addend, count, threshold, scale, seed, counter);
}
