#pragma once
// IEEE 754 binary16 ("float16", "half") <-> binary32: the one implementation core/ uses for the
// float16 storage mode, float16 HDF5 activation files (read and write) and their tests.
#include "salient/util/matrix.h"

#include <cstdint>

namespace salient {

/// Exact widening, including subnormals, ±inf and NaN (the payload is kept, so a quiet NaN stays
/// quiet).
float halfToFloat(std::uint16_t h);
/// Narrowing with round to nearest even; values beyond ±65504 (after rounding) become ±inf, NaN
/// stays a (quiet) NaN.
std::uint16_t floatToHalf(float f);

/**
 * @p n values, float32 → binary16, with the rounding of floatToHalf; vectorised (F16C) where the
 * build allows. @p in and @p out must not overlap. Thread-safe.
 */
void floatsToHalf(const float *in, std::uint16_t *out, Index n);
/**
 * @p n values, binary16 → float32, exact as halfToFloat; vectorised (F16C) where the build
 * allows, else through a 65,536-entry table built once. @p in and @p out must not overlap.
 * Thread-safe.
 */
void halfsToFloat(const std::uint16_t *in, float *out, Index n);

} // namespace salient
