// Shapes and strides (Shape, inline up to 6 dims) and IntArrayRef, the
// non-owning view of a list of integers that every shape-taking op accepts:
// `{2, 3}`, a std::vector, a Shape, or a single integer.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <vector>

#include "ember/small_vector.h"

namespace ember {

using Shape = SmallVector<int64_t, 6>;

class IntArrayRef {
 public:
  IntArrayRef() = default;
  IntArrayRef(const int64_t& one) : data_(&one), size_(1) {}  // NOLINT: implicit by design
  // Safe for the intended use, a braced list passed straight to a call.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
  IntArrayRef(std::initializer_list<int64_t> values) : data_(values.begin()), size_(values.size()) {}
#pragma GCC diagnostic pop
  IntArrayRef(const std::vector<int64_t>& values) : data_(values.data()), size_(values.size()) {}
  IntArrayRef(const Shape& values) : data_(values.data()), size_(values.size()) {}
  IntArrayRef(const int64_t* data, size_t size) : data_(data), size_(size) {}

  const int64_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const int64_t& operator[](size_t i) const { return data_[i]; }
  const int64_t* begin() const { return data_; }
  const int64_t* end() const { return data_ + size_; }
  Shape shape() const { return Shape(begin(), end()); }
  std::vector<int64_t> vec() const { return {begin(), end()}; }
  friend bool operator==(IntArrayRef a, IntArrayRef b) {
    if (a.size_ != b.size_) return false;
    for (size_t i = 0; i < a.size_; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }

 private:
  const int64_t* data_ = nullptr;
  size_t size_ = 0;
};

// Prints `[2, 3]`, the form every error message uses for shapes.
std::ostream& operator<<(std::ostream& out, IntArrayRef values);
inline std::ostream& operator<<(std::ostream& out, const Shape& values) {
  return out << IntArrayRef(values);
}

// Product of the sizes (1 for a 0-dim shape).
int64_t shape_numel(IntArrayRef sizes);
// Strides of a contiguous (row-major) tensor of the given sizes.
Shape contiguous_strides(IntArrayRef sizes);
// Wraps a possibly negative dim into [0, ndim); `op` names the caller in the error.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op);
// The broadcast of two shapes (NumPy rules); the error names the op and the dim that disagrees.
Shape broadcast_shapes(IntArrayRef a, IntArrayRef b, const char* op);

}  // namespace ember
