// Making tensors: from data, filled, ranges, and random.
#pragma once

#include <functional>
#include <initializer_list>
#include <optional>
#include <vector>

#include "ember/generator.h"
#include "ember/tensor.h"
#include "ember/tensor_options.h"

namespace ember {

// ---- from data (deep copy) -------------------------------------------------
// Element type T picks the dtype unless options say otherwise:
// floating -> default dtype, integral -> int64, bool -> bool (as torch.tensor).
template <class T> Tensor tensor(std::initializer_list<T> values, TensorOptions options = {});
template <class T> Tensor tensor(std::initializer_list<std::initializer_list<T>> values, TensorOptions options = {});
template <class T>
Tensor tensor(std::initializer_list<std::initializer_list<std::initializer_list<T>>> values, TensorOptions options = {});
template <class T>
Tensor tensor(std::initializer_list<std::initializer_list<std::initializer_list<std::initializer_list<T>>>> values,
              TensorOptions options = {});
template <class T> Tensor tensor(const std::vector<T>& values, TensorOptions options = {});
// A 0-dim tensor holding one number.
Tensor scalar_tensor(Scalar value, TensorOptions options = {});
// Copies `values` (row-major, numel(sizes) of them, of dtype `source`) into a new tensor.
Tensor from_buffer(const void* values, Dtype source, IntArrayRef sizes, TensorOptions options = {});

// ---- over existing memory (no copy) -----------------------------------------
// The caller keeps `data` alive, or passes a deleter that frees it when the
// last tensor using it goes. Strides default to contiguous.
Tensor from_blob(void* data, IntArrayRef sizes, Dtype dtype, std::function<void(void*)> deleter = {});
Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, Dtype dtype,
                 std::function<void(void*)> deleter = {});

// ---- filled -------------------------------------------------------------------
Tensor empty(IntArrayRef sizes, TensorOptions options = {});
Tensor zeros(IntArrayRef sizes, TensorOptions options = {});
Tensor ones(IntArrayRef sizes, TensorOptions options = {});
// dtype defaults to the value's kind: bool, int64, or the default float dtype.
Tensor full(IntArrayRef sizes, Scalar value, TensorOptions options = {});
Tensor eye(int64_t n, std::optional<int64_t> m = {}, TensorOptions options = {});
// The *_like forms take the shape, and unless given the dtype and device, of `like`.
Tensor empty_like(const Tensor& like, TensorOptions options = {});
Tensor zeros_like(const Tensor& like, TensorOptions options = {});
Tensor ones_like(const Tensor& like, TensorOptions options = {});
Tensor full_like(const Tensor& like, Scalar value, TensorOptions options = {});
Tensor rand_like(const Tensor& like, Generator* generator = nullptr);
Tensor randn_like(const Tensor& like, Generator* generator = nullptr);

// ---- ranges -----------------------------------------------------------------
// [start, end) in steps; int64 when all three are integers, else the default float dtype.
Tensor arange(Scalar end, TensorOptions options = {});
Tensor arange(Scalar start, Scalar end, Scalar step = 1, TensorOptions options = {});
Tensor linspace(double start, double end, int64_t steps, TensorOptions options = {});
Tensor logspace(double start, double end, int64_t steps, double base = 10.0, TensorOptions options = {});

// ---- random (default generator unless one is given) ---------------------------
Tensor rand(IntArrayRef sizes, TensorOptions options = {}, Generator* generator = nullptr);   // U[0, 1)
Tensor randn(IntArrayRef sizes, TensorOptions options = {}, Generator* generator = nullptr);  // N(0, 1)
Tensor randint(int64_t low, int64_t high, IntArrayRef sizes, TensorOptions options = {},
               Generator* generator = nullptr);  // [low, high), int64 by default
Tensor normal(double mean, double std, IntArrayRef sizes, TensorOptions options = {},
              Generator* generator = nullptr);
// Each element is 1 with the probability in `p` (same shape and dtype as p).
Tensor bernoulli(const Tensor& p, Generator* generator = nullptr);
Tensor bernoulli(IntArrayRef sizes, double p, TensorOptions options = {}, Generator* generator = nullptr);
Tensor randperm(int64_t n, TensorOptions options = {}, Generator* generator = nullptr);  // int64
// Category indices (int64) drawn from the rows of probs (K or (R, K) non-negative
// weights, not necessarily normalized): num_samples per row, with or without
// replacement (without: distinct categories, in the order drawn), as torch.multinomial.
Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement = false, Generator* generator = nullptr);
// In-place fills, as torch's uniform_/normal_.
Tensor& uniform_(Tensor& t, double from = 0.0, double to = 1.0, Generator* generator = nullptr);
Tensor& normal_(Tensor& t, double mean = 0.0, double std = 1.0, Generator* generator = nullptr);

// ---- template definitions ------------------------------------------------------
namespace detail {
template <class T> constexpr Dtype inferred_dtype() {
  if constexpr (std::is_same_v<T, bool>) return Dtype::boolean;
  else if constexpr (std::is_floating_point_v<T>) return Dtype::float64;  // narrowed to the default below
  else return Dtype::int64;
}
// Storage type for T's values as passed to from_buffer. Bools travel as
// uint8_t (same 0/1 byte) because std::vector<bool> has no data().
template <class T> using BufferType =
    std::conditional_t<std::is_same_v<T, bool>, uint8_t,
                       std::conditional_t<std::is_floating_point_v<T>, double, int64_t>>;
Tensor tensor_from_values(const void* values, Dtype source, IntArrayRef sizes, TensorOptions options);

template <class T, class List>
void flatten_nested(const List& list, std::vector<BufferType<T>>& out, std::vector<int64_t>& sizes, size_t depth) {
  if (sizes.size() <= depth) sizes.push_back(static_cast<int64_t>(list.size()));
  EMBER_CHECK(sizes[depth] == static_cast<int64_t>(list.size()), "tensor: ragged nested list: expected ",
              sizes[depth], " elements at depth ", depth, " but got ", list.size());
  for (const auto& item : list) {
    if constexpr (std::is_arithmetic_v<std::decay_t<decltype(item)>>) out.push_back(static_cast<BufferType<T>>(item));
    else flatten_nested<T>(item, out, sizes, depth + 1);
  }
}
template <class T, class List>
Tensor tensor_from_nested(const List& list, TensorOptions options) {
  std::vector<BufferType<T>> values;
  std::vector<int64_t> sizes;
  flatten_nested<T>(list, values, sizes, 0);
  return tensor_from_values(values.data(), inferred_dtype<T>(), sizes, options);
}
}  // namespace detail

template <class T> Tensor tensor(std::initializer_list<T> values, TensorOptions options) {
  return detail::tensor_from_nested<T>(values, options);
}
template <class T> Tensor tensor(std::initializer_list<std::initializer_list<T>> values, TensorOptions options) {
  return detail::tensor_from_nested<T>(values, options);
}
template <class T>
Tensor tensor(std::initializer_list<std::initializer_list<std::initializer_list<T>>> values, TensorOptions options) {
  return detail::tensor_from_nested<T>(values, options);
}
template <class T>
Tensor tensor(std::initializer_list<std::initializer_list<std::initializer_list<std::initializer_list<T>>>> values,
              TensorOptions options) {
  return detail::tensor_from_nested<T>(values, options);
}
template <class T> Tensor tensor(const std::vector<T>& values, TensorOptions options) {
  std::vector<detail::BufferType<T>> converted(values.begin(), values.end());
  const int64_t n = static_cast<int64_t>(values.size());
  return detail::tensor_from_values(converted.data(), detail::inferred_dtype<T>(), IntArrayRef(n), options);
}

}  // namespace ember
