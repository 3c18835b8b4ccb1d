// ember::Tensor: a cheap, ref-counted handle to a strided n-d array.
// Copying a Tensor shares its data (like PyTorch); use clone() for a copy.
// The methods forward to the free functions of ops.h and creation.h.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ember/device.h"
#include "ember/dtype.h"
#include "ember/elementwise_ops.h"
#include "ember/error.h"
#include "ember/scalar.h"
#include "ember/shape.h"
#include "ember/tensor_impl.h"
#include "ember/tensor_options.h"

namespace ember {

class Node;

namespace detail {
// The Error of reading the data of a meta tensor (it has none): names `op` and the shape.
[[noreturn]] void fail_no_data(const char* op, IntArrayRef sizes);
}  // namespace detail

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(IntrusivePtr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // ---- attributes -------------------------------------------------------
  bool defined() const { return static_cast<bool>(impl_); }
  TensorImpl* impl() const { return impl_.get(); }
  IntArrayRef sizes() const { return impl_->sizes(); }
  IntArrayRef shape() const { return impl_->sizes(); }
  int64_t size(int64_t dim) const;
  IntArrayRef strides() const { return impl_->strides(); }
  int64_t stride(int64_t dim) const;
  int64_t storage_offset() const { return impl_->storage_offset(); }
  int64_t dim() const { return impl_->dim(); }
  int64_t numel() const { return impl_->numel(); }
  Dtype dtype() const { return impl_->dtype(); }
  Device device() const { return impl_->device(); }
  bool is_meta() const { return device().is_meta(); }
  // This tensor's dtype and device, for making others like it: zeros(s, x.options()).
  TensorOptions options() const { return {dtype(), device()}; }
  size_t element_size() const { return ember::element_size(dtype()); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * element_size(); }
  bool is_contiguous() const { return impl_->is_contiguous(); }
  bool is_floating_point() const { return is_floating(dtype()); }
  const IntrusivePtr<Storage>& storage() const { return impl_->storage(); }
  // True when both handles point at the same TensorImpl.
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }
  uint32_t use_count() const { return impl_ ? impl_->use_count() : 0; }

  // Typed pointer to element 0; T must match dtype() exactly.
  template <class T> T* data_ptr() const;
  // Both are an Error on a meta tensor, which has no data.
  void* data_ptr() const {
    if (is_meta()) [[unlikely]] detail::fail_no_data("data_ptr", sizes());
    return impl_->data();
  }
  // The value of a one-element tensor, converted to T.
  template <class T> T item() const { return item().to<T>(); }
  Scalar item() const;
  // All elements in row-major order, converted to T (PyTorch's tolist, flattened).
  template <class T> std::vector<T> to_vector() const;

  // ---- views and shapes (share storage) ---------------------------------
  Tensor view(IntArrayRef sizes) const;
  Tensor view_as(const Tensor& other) const { return view(other.sizes()); }
  Tensor reshape(IntArrayRef sizes) const;
  Tensor reshape_as(const Tensor& other) const { return reshape(other.sizes()); }
  Tensor as_strided(IntArrayRef sizes, IntArrayRef strides, std::optional<int64_t> storage_offset = {}) const;
  Tensor permute(IntArrayRef dims) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor unflatten(int64_t dim, IntArrayRef sizes) const;
  Tensor expand(IntArrayRef sizes) const;
  Tensor expand_as(const Tensor& other) const { return expand(other.sizes()); }
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor slice(int64_t dim, std::optional<int64_t> start = {}, std::optional<int64_t> end = {},
               int64_t step = 1) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor operator[](int64_t index) const { return select(0, index); }
  Tensor contiguous() const;
  Tensor clone() const;
  Tensor detach() const;  // same data, no autograd history
  Tensor to(Dtype dtype, bool copy = false) const;
  // To another device through the backends (the non-CPU side's copy). non_blocking
  // lets a device backend return before a copy from pinned host memory is done;
  // on the CPU and meta devices every copy is complete on return.
  Tensor to(Device device, bool non_blocking = false, bool copy = false) const;

  // ---- elementwise ------------------------------------------------------
  Tensor add(const Tensor& other, Scalar alpha = 1) const;
  Tensor add(Scalar other, Scalar alpha = 1) const;
  Tensor sub(const Tensor& other, Scalar alpha = 1) const;
  Tensor sub(Scalar other, Scalar alpha = 1) const;
  // mul, div, ... (ember/elementwise_ops.h), with their in-place forms mul_, div_, ...
#define EMBER_DECLARE_BINARY_METHODS(name) \
  Tensor name(const Tensor& other) const;  \
  Tensor name(Scalar other) const;         \
  Tensor& name##_(const Tensor& other);    \
  Tensor& name##_(Scalar other);
  EMBER_BINARY_OPS(EMBER_DECLARE_BINARY_METHODS)
#undef EMBER_DECLARE_BINARY_METHODS
  Tensor div(const Tensor& other, const std::string& rounding_mode) const;  // "trunc" or "floor"
  Tensor div(Scalar other, const std::string& rounding_mode) const;
  Tensor& div_(const Tensor& other, const std::string& rounding_mode);
  Tensor& div_(Scalar other, const std::string& rounding_mode);
  Tensor pow(const Tensor& exponent) const;
  Tensor pow(Scalar exponent) const;
  Tensor maximum(const Tensor& other) const;
  Tensor minimum(const Tensor& other) const;
  // neg, abs, sqrt, exp, ... (ember/elementwise_ops.h), with their in-place forms neg_, abs_, ...
#define EMBER_DECLARE_UNARY_METHODS(name) \
  Tensor name() const;                    \
  Tensor& name##_();
  EMBER_UNARY_OPS(EMBER_DECLARE_UNARY_METHODS)
#undef EMBER_DECLARE_UNARY_METHODS
  Tensor clamp(std::optional<Scalar> min, std::optional<Scalar> max = {}) const;
  Tensor clamp(const Tensor& min, const Tensor& max) const;
  Tensor lerp(const Tensor& end, Scalar weight) const;
  Tensor lerp(const Tensor& end, const Tensor& weight) const;
  Tensor addcmul(const Tensor& t1, const Tensor& t2, Scalar value = 1) const;
  Tensor addcdiv(const Tensor& t1, const Tensor& t2, Scalar value = 1) const;
  Tensor isnan() const;
  Tensor isinf() const;
  Tensor isfinite() const;
  Tensor nan_to_num(double nan = 0.0, std::optional<double> posinf = {}, std::optional<double> neginf = {}) const;
  Tensor isclose(const Tensor& other, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false) const;
  bool allclose(const Tensor& other, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false) const;
  bool equal(const Tensor& other) const;
  Tensor masked_fill(const Tensor& mask, Scalar value) const;
  Tensor eq(const Tensor& other) const;
  Tensor eq(Scalar other) const;
  Tensor ne(const Tensor& other) const;
  Tensor ne(Scalar other) const;
  Tensor lt(const Tensor& other) const;
  Tensor lt(Scalar other) const;
  Tensor le(const Tensor& other) const;
  Tensor le(Scalar other) const;
  Tensor gt(const Tensor& other) const;
  Tensor gt(Scalar other) const;
  Tensor ge(const Tensor& other) const;
  Tensor ge(Scalar other) const;
  Tensor logical_and(const Tensor& other) const;
  Tensor logical_or(const Tensor& other) const;
  Tensor logical_xor(const Tensor& other) const;

  // ---- in place (return *this; the result dtype must be castable to ours) --
  Tensor& add_(const Tensor& other, Scalar alpha = 1);
  Tensor& add_(Scalar other, Scalar alpha = 1);
  Tensor& sub_(const Tensor& other, Scalar alpha = 1);
  Tensor& sub_(Scalar other, Scalar alpha = 1);
  Tensor& pow_(Scalar exponent);
  Tensor& clamp_(std::optional<Scalar> min, std::optional<Scalar> max = {});
  Tensor& clamp_(const Tensor& min, const Tensor& max);
  Tensor& lerp_(const Tensor& end, Scalar weight);
  Tensor& lerp_(const Tensor& end, const Tensor& weight);
  Tensor& addcmul_(const Tensor& t1, const Tensor& t2, Scalar value = 1);
  Tensor& addcdiv_(const Tensor& t1, const Tensor& t2, Scalar value = 1);
  Tensor& nan_to_num_(double nan = 0.0, std::optional<double> posinf = {}, std::optional<double> neginf = {});
  Tensor& tril_(int64_t diagonal = 0);
  Tensor& triu_(int64_t diagonal = 0);
  Tensor& masked_scatter_(const Tensor& mask, const Tensor& source);
  Tensor& masked_fill_(const Tensor& mask, Scalar value);
  Tensor& zero_();
  Tensor& fill_(Scalar value);
  Tensor& copy_(const Tensor& src);

  // ---- reductions (max/min/sort/topk along a dim give {values, indices}) ----
  Tensor sum() const;
  Tensor sum(IntArrayRef dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(IntArrayRef dims, bool keepdim = false) const;
  Tensor prod() const;
  Tensor prod(int64_t dim, bool keepdim = false) const;
  Tensor max() const;
  std::pair<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;
  Tensor min() const;
  std::pair<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  Tensor amax(IntArrayRef dims, bool keepdim = false) const;
  Tensor amin(IntArrayRef dims, bool keepdim = false) const;
  Tensor argmax(std::optional<int64_t> dim = {}, bool keepdim = false) const;
  Tensor argmin(std::optional<int64_t> dim = {}, bool keepdim = false) const;
  // Empty dims: over all elements (`x.var()`, `x.var({}, 0)`, `x.var({1})`).
  Tensor var(IntArrayRef dims = {}, int64_t correction = 1, bool keepdim = false) const;
  Tensor std(IntArrayRef dims = {}, int64_t correction = 1, bool keepdim = false) const;
  Tensor norm(double p = 2) const;
  Tensor norm(double p, IntArrayRef dims, bool keepdim = false) const;
  Tensor logsumexp(IntArrayRef dims, bool keepdim = false) const;
  Tensor all() const;
  Tensor all(int64_t dim, bool keepdim = false) const;
  Tensor any() const;
  Tensor any(int64_t dim, bool keepdim = false) const;
  Tensor cumsum(int64_t dim) const;
  Tensor cumprod(int64_t dim) const;
  Tensor logcumsumexp(int64_t dim) const;

  // ---- linear algebra ---------------------------------------------------
  Tensor matmul(const Tensor& other) const;
  Tensor mm(const Tensor& other) const;
  Tensor bmm(const Tensor& other) const;
  Tensor outer(const Tensor& other) const;

  // ---- joining and indexing ----------------------------------------------
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0) const;
  std::vector<Tensor> split(const std::vector<int64_t>& split_sizes, int64_t dim = 0) const;
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0) const;
  std::vector<Tensor> unbind(int64_t dim = 0) const;
  Tensor roll(IntArrayRef shifts, IntArrayRef dims = {}) const;
  Tensor tril(int64_t diagonal = 0) const;
  Tensor triu(int64_t diagonal = 0) const;
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor gather(int64_t dim, const Tensor& index) const;
  Tensor scatter(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const;
  // x[idx] with an integer tensor (rows along dim 0) or a bool mask of x's shape.
  Tensor index(const Tensor& indices) const;
  Tensor index(const std::vector<Tensor>& indices) const;  // x[i0, :, i2] (ember::index)
  Tensor& index_put_(const std::vector<Tensor>& indices, const Tensor& values, bool accumulate = false);
  Tensor masked_select(const Tensor& mask) const;
  Tensor nonzero() const;
  std::pair<Tensor, Tensor> topk(int64_t k, int64_t dim = -1, bool largest = true, bool sorted = true) const;
  std::pair<Tensor, Tensor> sort(int64_t dim = -1, bool descending = false, bool stable = false) const;
  Tensor argsort(int64_t dim = -1, bool descending = false, bool stable = false) const;
  Tensor repeat(IntArrayRef repeats) const;
  Tensor flip(IntArrayRef dims) const;
  Tensor take_along_dim(const Tensor& indices, std::optional<int64_t> dim = {}) const;
  Tensor repeat_interleave(int64_t repeats, std::optional<int64_t> dim = {}) const;
  Tensor repeat_interleave(const Tensor& repeats, std::optional<int64_t> dim = {}) const;
  Tensor masked_scatter(const Tensor& mask, const Tensor& source) const;

  std::string str() const;  // the printed form

  // ---- autograd (autograd.h) ----------------------------------------------
  bool requires_grad() const;
  // Only floating-point tensors can require grad; only leaves can change it.
  Tensor& requires_grad_(bool requires_grad = true);
  // Accumulated gradient; undefined until a backward reaches this tensor.
  const Tensor& grad() const;
  Tensor& mutable_grad();
  void set_grad(const Tensor& grad);
  // The node that made this tensor; null for leaves.
  std::shared_ptr<Node> grad_fn() const;
  // Leaves: tensors that do not require grad, and those that do but were not
  // made by a recorded op. Only leaves get grad() filled by backward.
  bool is_leaf() const;
  // Makes this tensor a leaf that does not require grad, in place.
  Tensor& detach_();
  // Non-leaf tensors: keep grad() on backward as leaves do.
  void retain_grad();
  bool retains_grad() const;
  // hook(grad) runs when this tensor's gradient is computed; a defined result
  // replaces the gradient.
  void register_hook(std::function<Tensor(const Tensor&)> hook);
  // Accumulates d(this)/d(leaf) into every leaf's grad(). `gradient` may be
  // omitted for a one-element tensor (ones). retain_graph defaults to create_graph.
  void backward(const Tensor& gradient = {}, std::optional<bool> retain_graph = {}, bool create_graph = false) const;
  // Made inside InferenceMode.
  bool is_inference() const { return impl_->is_inference(); }

 private:
  IntrusivePtr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& out, const Tensor& t);

// ---- C++ operators (as PyTorch's Python operators) -----------------------
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, Scalar b);
Tensor operator+(Scalar a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, Scalar b);
Tensor operator-(Scalar a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, Scalar b);
Tensor operator*(Scalar a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, Scalar b);
Tensor operator/(Scalar a, const Tensor& b);
Tensor operator-(const Tensor& a);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, Scalar b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, Scalar b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, Scalar b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, Scalar b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, Scalar b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, Scalar b);
Tensor operator&&(const Tensor& a, const Tensor& b);
Tensor operator||(const Tensor& a, const Tensor& b);
Tensor operator!(const Tensor& a);
Tensor& operator+=(Tensor& a, const Tensor& b);
Tensor& operator+=(Tensor& a, Scalar b);
Tensor& operator-=(Tensor& a, const Tensor& b);
Tensor& operator-=(Tensor& a, Scalar b);
Tensor& operator*=(Tensor& a, const Tensor& b);
Tensor& operator*=(Tensor& a, Scalar b);
Tensor& operator/=(Tensor& a, const Tensor& b);
Tensor& operator/=(Tensor& a, Scalar b);

// ---- template definitions -------------------------------------------------
template <class T>
T* Tensor::data_ptr() const {
  EMBER_CHECK(defined(), "data_ptr: tensor is undefined");
  EMBER_CHECK(dtype_of<T> == dtype(), "data_ptr: requested ", dtype_name(dtype_of<T>),
              " but the tensor's dtype is ", dtype_name(dtype()));
  return static_cast<T*>(data_ptr());
}

namespace detail {
// Copies all elements, converted to `dtype`, in row-major order into `out`.
void copy_to_buffer(const Tensor& t, Dtype dtype, void* out);
}

template <class T>
std::vector<T> Tensor::to_vector() const {
  EMBER_CHECK(defined(), "to_vector: tensor is undefined");
  std::vector<T> out(static_cast<size_t>(numel()));
  if constexpr (std::is_same_v<T, bool>) {  // std::vector<bool> has no data()
    std::vector<uint8_t> bytes(out.size());
    detail::copy_to_buffer(*this, Dtype::boolean, bytes.data());
    for (size_t i = 0; i < out.size(); ++i) out[i] = bytes[i] != 0;
  } else {
    detail::copy_to_buffer(*this, dtype_of<T>, out.data());
  }
  return out;
}

}  // namespace ember
