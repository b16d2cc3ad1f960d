// float32 → bfloat16. Swift's generic SIMD narrowing runs lane by lane, so the vector path lives here, chosen at run
// time so the binary still runs on CPUs without AVX512-BF16.
#include "CShims.h"
#include <immintrin.h>

static uint16_t round_one(float value) {
    union { float f; uint32_t u; } bits = {value};
    if ((bits.u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits.u >> 16) | 0x40);  // NaN stays NaN (quiet)
    return (uint16_t)((bits.u + 0x7fffu + ((bits.u >> 16) & 1u)) >> 16);
}

__attribute__((target("avx512f,avx512bf16,avx512vl")))
static void convert_avx512bf16(const float *source, uint16_t *destination, int64_t count) {
    int64_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512 values = _mm512_loadu_ps(source + i);
        __m256bh rounded = _mm512_cvtneps_pbh(values);
        _mm256_storeu_si256((__m256i *)(destination + i), (__m256i)rounded);
    }
    for (; i < count; i++) destination[i] = round_one(source[i]);
}

// round_one 8 lanes at a time: NaN lanes are quieted instead of rounded.
__attribute__((target("avx2")))
static void convert_avx2(const float *source, uint16_t *destination, int64_t count) {
    const __m256i magnitude = _mm256_set1_epi32(0x7fffffff), infinity = _mm256_set1_epi32(0x7f800000);
    const __m256i half = _mm256_set1_epi32(0x7fff), one = _mm256_set1_epi32(1), quiet = _mm256_set1_epi32(0x400000);
    int64_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256i bits = _mm256_loadu_si256((const __m256i *)(source + i));
        __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(bits, magnitude), infinity);
        __m256i rounding = _mm256_add_epi32(half, _mm256_and_si256(_mm256_srli_epi32(bits, 16), one));
        __m256i chosen = _mm256_blendv_epi8(_mm256_add_epi32(bits, rounding), _mm256_or_si256(bits, quiet), nan);
        __m256i rounded = _mm256_srli_epi32(chosen, 16);
        // Eight 32-bit values below 2¹⁶ → eight 16-bit ones (packus works within 128-bit halves: gather them first).
        __m128i packed = _mm_packus_epi32(_mm256_castsi256_si128(rounded), _mm256_extracti128_si256(rounded, 1));
        _mm_storeu_si128((__m128i *)(destination + i), packed);
    }
    for (; i < count; i++) destination[i] = round_one(source[i]);
}

void ernie_f32_to_bf16(const float *source, uint16_t *destination, int64_t count) {
    static int path = -1;  // 2: AVX512-BF16, 1: AVX2, 0: scalar
    if (path < 0) path = __builtin_cpu_supports("avx512bf16") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
    if (path == 2) convert_avx512bf16(source, destination, count);
    else if (path == 1) convert_avx2(source, destination, count);
    else for (int64_t i = 0; i < count; i++) destination[i] = round_one(source[i]);
}

// bfloat16 → float32 is exact (the bits move up by 16); the loop vectorises without intrinsics.
void ernie_bf16_to_f32(const uint16_t *source, float *destination, int64_t count) {
    uint32_t *bits = (uint32_t *)destination;
    for (int64_t i = 0; i < count; i++) bits[i] = (uint32_t)source[i] << 16;
}
