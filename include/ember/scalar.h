// A Python-like number (bool, integer or floating) passed to ops next to
// tensors. Scalars take part in type promotion as "wrapped numbers": they
// never widen a tensor's dtype within its category (int32 tensor + 2 stays int32).
#pragma once

#include <concepts>
#include <cstdint>
#include <ostream>

#include "ember/dtype.h"

namespace ember {

class Scalar {
 public:
  Scalar() = default;
  Scalar(bool v) : kind_(Kind::boolean), i_(v) {}  // NOLINT: implicit by design
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  Scalar(T v) : kind_(Kind::integral), i_(static_cast<int64_t>(v)) {}  // NOLINT
  template <std::floating_point T>
  Scalar(T v) : kind_(Kind::floating), d_(static_cast<double>(v)) {}  // NOLINT

  bool is_floating() const { return kind_ == Kind::floating; }
  bool is_integral() const { return kind_ == Kind::integral; }
  bool is_bool() const { return kind_ == Kind::boolean; }
  double to_double() const { return is_floating() ? d_ : static_cast<double>(i_); }
  int64_t to_int() const { return is_floating() ? static_cast<int64_t>(d_) : i_; }
  bool to_bool() const { return is_floating() ? d_ != 0.0 : i_ != 0; }
  template <class T> T to() const;
  // The dtype this number has as a 0-dim tensor: bool, int64 or float64.
  Dtype dtype() const;

 private:
  enum class Kind : uint8_t { boolean, integral, floating };
  Kind kind_ = Kind::integral;
  int64_t i_ = 0;
  double d_ = 0.0;
};

template <class T>
T Scalar::to() const {
  if constexpr (std::is_same_v<T, bool>) return to_bool();
  else if constexpr (std::is_floating_point_v<T>) return static_cast<T>(to_double());
  else if constexpr (std::is_integral_v<T>) return static_cast<T>(to_int());
  else return T(static_cast<float>(to_double()));
}

std::ostream& operator<<(std::ostream& out, const Scalar& s);

}  // namespace ember
