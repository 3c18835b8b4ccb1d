// Element types, their C++ counterparts, and PyTorch's type-promotion lattice.
#pragma once

#include <cstdint>
#include <cstring>
#include <ostream>

namespace ember {

// Ordered by promotion rank within each category.
enum class Dtype : uint8_t { boolean, uint8, int16, int32, int64, float16, bfloat16, float32, float64 };

inline constexpr Dtype kBool = Dtype::boolean;
inline constexpr Dtype kUInt8 = Dtype::uint8;
inline constexpr Dtype kInt16 = Dtype::int16;
inline constexpr Dtype kInt32 = Dtype::int32;
inline constexpr Dtype kInt64 = Dtype::int64;
inline constexpr Dtype kFloat16 = Dtype::float16;
inline constexpr Dtype kBFloat16 = Dtype::bfloat16;
inline constexpr Dtype kFloat32 = Dtype::float32;
inline constexpr Dtype kFloat64 = Dtype::float64;

// IEEE half and bfloat16 storage types: stored, converted, not yet computed on.
struct Half {
  uint16_t bits = 0;
  Half() = default;
  explicit Half(float value);
  explicit operator float() const;
};
struct BFloat16 {
  uint16_t bits = 0;
  BFloat16() = default;
  explicit BFloat16(float value);
  explicit operator float() const;
};

const char* dtype_name(Dtype dtype);  // "float32"
size_t element_size(Dtype dtype);
inline bool is_floating(Dtype d) { return d >= Dtype::float16; }
inline bool is_integral(Dtype d, bool include_bool) {
  return d == Dtype::boolean ? include_bool : d < Dtype::float16;
}
Dtype promote_types(Dtype a, Dtype b);
// PyTorch's can_cast: no float -> integral, no non-bool -> bool.
bool can_cast(Dtype from, Dtype to);
Dtype default_dtype();        // float32 unless changed
void set_default_dtype(Dtype dtype);  // float32 or float64

inline std::ostream& operator<<(std::ostream& out, Dtype d) { return out << dtype_name(d); }

template <class T> struct DtypeOf;
template <> struct DtypeOf<bool> { static constexpr Dtype value = Dtype::boolean; };
template <> struct DtypeOf<uint8_t> { static constexpr Dtype value = Dtype::uint8; };
template <> struct DtypeOf<int16_t> { static constexpr Dtype value = Dtype::int16; };
template <> struct DtypeOf<int32_t> { static constexpr Dtype value = Dtype::int32; };
template <> struct DtypeOf<int64_t> { static constexpr Dtype value = Dtype::int64; };
template <> struct DtypeOf<Half> { static constexpr Dtype value = Dtype::float16; };
template <> struct DtypeOf<BFloat16> { static constexpr Dtype value = Dtype::bfloat16; };
template <> struct DtypeOf<float> { static constexpr Dtype value = Dtype::float32; };
template <> struct DtypeOf<double> { static constexpr Dtype value = Dtype::float64; };
template <class T> inline constexpr Dtype dtype_of = DtypeOf<T>::value;

}  // namespace ember
