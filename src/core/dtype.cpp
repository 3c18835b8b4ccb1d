// Dtype names and sizes, half/bfloat16 conversion, and the promotion lattice.
#include "ember/dtype.h"

#include <immintrin.h>

#include <atomic>

#include "ember/error.h"

namespace ember {

Half::Half(float value) : bits(_cvtss_sh(value, _MM_FROUND_TO_NEAREST_INT)) {}
Half::operator float() const { return _cvtsh_ss(bits); }

BFloat16::BFloat16(float value) {
  uint32_t u;
  std::memcpy(&u, &value, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) {  // NaN stays a quiet NaN
    bits = 0x7fc0;
    return;
  }
  u += 0x7fffu + ((u >> 16) & 1u);  // round to nearest even
  bits = static_cast<uint16_t>(u >> 16);
}
BFloat16::operator float() const {
  const uint32_t u = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

const char* dtype_name(Dtype d) {
  switch (d) {
    case Dtype::boolean: return "bool";
    case Dtype::uint8: return "uint8";
    case Dtype::int16: return "int16";
    case Dtype::int32: return "int32";
    case Dtype::int64: return "int64";
    case Dtype::float16: return "float16";
    case Dtype::bfloat16: return "bfloat16";
    case Dtype::float32: return "float32";
    case Dtype::float64: return "float64";
  }
  return "unknown";
}

size_t element_size(Dtype d) {
  switch (d) {
    case Dtype::boolean:
    case Dtype::uint8: return 1;
    case Dtype::int16:
    case Dtype::float16:
    case Dtype::bfloat16: return 2;
    case Dtype::int32:
    case Dtype::float32: return 4;
    case Dtype::int64:
    case Dtype::float64: return 8;
  }
  return 0;
}

Dtype promote_types(Dtype a, Dtype b) {
  if (a == b) return a;
  // float16 and bfloat16 have no common 16-bit type.
  if ((a == Dtype::float16 && b == Dtype::bfloat16) || (a == Dtype::bfloat16 && b == Dtype::float16))
    return Dtype::float32;
  // Within and across categories the enum order is the lattice: bool < uint8 <
  // int16 < int32 < int64 < float16/bfloat16 < float32 < float64.
  return a > b ? a : b;
}

bool can_cast(Dtype from, Dtype to) {
  if (is_floating(from) && is_integral(to, true)) return false;
  if (from != Dtype::boolean && to == Dtype::boolean) return false;
  return true;
}

namespace {
std::atomic<Dtype> g_default_dtype{Dtype::float32};
}
Dtype default_dtype() { return g_default_dtype.load(std::memory_order_relaxed); }
void set_default_dtype(Dtype dtype) {
  EMBER_CHECK(dtype == Dtype::float32 || dtype == Dtype::float64,
              "set_default_dtype: only float32 and float64 are supported, got ", dtype_name(dtype));
  g_default_dtype.store(dtype);
}

}  // namespace ember
