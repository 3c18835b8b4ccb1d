// Scalar's dtype and printing.
#include "ember/scalar.h"

namespace ember {

Dtype Scalar::dtype() const {
  switch (kind_) {
    case Kind::boolean: return Dtype::boolean;
    case Kind::integral: return Dtype::int64;
    case Kind::floating: return Dtype::float64;
  }
  return Dtype::float64;
}

std::ostream& operator<<(std::ostream& out, const Scalar& s) {
  if (s.is_floating()) return out << s.to_double();
  if (s.is_bool()) return out << (s.to_bool() ? "true" : "false");
  return out << s.to_int();
}

}  // namespace ember
