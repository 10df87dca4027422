#include "salient/util/float16.h"

#include <bit>
#include <cmath>
#include <vector>
#if defined(__F16C__)
#include <immintrin.h>
#endif

namespace salient {

float halfToFloat(std::uint16_t h)
{
    const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
    const std::uint32_t exponent = (h >> 10) & 0x1fu;
    const std::uint32_t mantissa = h & 0x3ffu;
    if (exponent == 0) { // zero or subnormal: mantissa · 2^-24, exact in float
        const float v = std::ldexp(float(mantissa), -24);
        return sign ? -v : v;
    }
    if (exponent == 31) // inf or NaN (payload kept, so a quiet NaN stays quiet)
        return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
    return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

std::uint16_t floatToHalf(float f)
{
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(f);
    const auto sign = std::uint16_t((bits >> 16) & 0x8000u);
    const std::uint32_t magnitude = bits & 0x7fffffffu;
    if (magnitude > 0x7f800000u) // NaN
        return std::uint16_t(sign | 0x7e00u);
    if (magnitude < 0x38800000u) { // below 2^-14: half subnormal or zero; ·2^24 is exact
        const float scaled = std::bit_cast<float>(magnitude) * 16777216.0f;
        const auto m = std::uint32_t(std::nearbyint(scaled)); // ties to even; 1024 = min normal
        return std::uint16_t(sign | m);
    }
    const int exponent = int(magnitude >> 23) - 127 + 15;
    if (exponent >= 31) // also +-inf
        return std::uint16_t(sign | 0x7c00u);
    std::uint32_t half = (std::uint32_t(exponent) << 10) | ((magnitude >> 13) & 0x3ffu);
    const std::uint32_t rest = magnitude & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u)))
        ++half; // a carry into the exponent is right, up to 0x7c00 = inf
    return std::uint16_t(sign | half);
}

void floatsToHalf(const float *in, std::uint16_t *out, Index n)
{
    Index i = 0;
#if defined(__F16C__)
    for (; i + 8 <= n; i += 8) {
        const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT);
        _mm_storeu_si128(reinterpret_cast<__m128i *>(out + i), h);
    }
#endif
    for (; i < n; ++i)
        out[i] = floatToHalf(in[i]);
}

#if !defined(__F16C__)
namespace {
/// float16 bits → float32 for all 65,536 patterns (built once, thread-safe; exact).
const float *halfTable()
{
    static const std::vector<float> table = [] {
        std::vector<float> t(65536);
        for (std::uint32_t h = 0; h < 65536; ++h)
            t[h] = halfToFloat(std::uint16_t(h));
        return t;
    }();
    return table.data();
}
} // namespace
#endif

void halfsToFloat(const std::uint16_t *in, float *out, Index n)
{
#if defined(__F16C__)
    Index i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(
            out + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(in + i))));
    for (; i < n; ++i)
        out[i] = halfToFloat(in[i]);
#else
    const float *table = halfTable();
    for (Index i = 0; i < n; ++i)
        out[i] = table[in[i]];
#endif
}

} // namespace salient
