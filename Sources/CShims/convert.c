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

void ernie_f32_to_bf16(const float *source, uint16_t *destination, int64_t count) {
    static int has_bf16 = -1;
    if (has_bf16 < 0) has_bf16 = __builtin_cpu_supports("avx512bf16") ? 1 : 0;
    if (has_bf16) {
        convert_avx512bf16(source, destination, count);
        return;
    }
    for (int64_t i = 0; i < count; i++) destination[i] = round_one(source[i]);
}

// bfloat16 → float32 is exact (the bits move up by 16); the loop vectorises without intrinsics.
void ernie_bf16_to_f32(const uint16_t *source, float *destination, int64_t count) {
    uint32_t *bits = (uint32_t *)destination;
    for (int64_t i = 0; i < count; i++) bits[i] = (uint32_t)source[i] << 16;
}
