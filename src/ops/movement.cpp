// Views and layout: view/reshape/permute/transpose/squeeze/unsqueeze/flatten/
// unflatten/expand/narrow/slice/select/as_strided share storage; contiguous,
// clone and to() copy. Also item() and element export.
#include <numeric>

#include "graph/record.h"
#include "ops/internal.h"

namespace ember {

using autograd::Grads;

namespace ops {
Tensor view_backward(const Tensor& g, IntArrayRef input_sizes, std::function<Tensor(const Tensor&)> view_of,
                     const char* op) {
  Tensor out = zeros(input_sizes, {.dtype = g.dtype(), .device = g.device()});
  {
    NoGradGuard no_grad;
    view_of(out).copy_(g);
  }
  return autograd::record(op, out, {g}, [view_of = std::move(view_of)](const Tensor& gg) { return Grads{view_of(gg)}; });
}
}  // namespace ops

namespace {

// The storage position of every element of a (sizes, strides, offset) view,
// int64, on the CPU (they follow from the metadata alone).
Tensor storage_positions(const Shape& sizes, const Shape& strides, int64_t offset) {
  const TensorOptions host{.dtype = Dtype::int64, .device = kCPU};
  Tensor pos = full(sizes, offset, host);
  for (size_t d = 0; d < sizes.size(); ++d) {
    Shape along(sizes.size(), 1);
    along[d] = sizes[d];
    pos = pos + arange(sizes[d], host).view(along) * strides[d];
  }
  return pos.reshape({-1});
}

// as_strided's gradient for any input layout and any output strides (even
// repeated elements): g is summed into the storage positions it was read from,
// then the input reads its own positions back.
Tensor as_strided_backward(const Tensor& g, const Shape& in_sizes, const Shape& in_strides, int64_t in_offset,
                           const Shape& sizes, const Shape& strides, int64_t offset) {
  const Tensor in_host = storage_positions(in_sizes, in_strides, in_offset);
  const Tensor out_host = storage_positions(sizes, strides, offset);
  int64_t span = 1;
  if (in_host.numel() > 0) span = std::max(span, amax(in_host).item<int64_t>() + 1);
  if (out_host.numel() > 0) span = std::max(span, amax(out_host).item<int64_t>() + 1);
  const Tensor in_pos = in_host.to(g.device()), out_pos = out_host.to(g.device());
  const TensorOptions options{.dtype = g.dtype(), .device = g.device()};
  const Tensor storage = scatter_add(zeros({span}, options), 0, out_pos, g.reshape({-1}));
  // An input whose elements share storage (expanded) has each slot's gradient
  // split between the elements that share it, as PyTorch does.
  const Tensor sharing = scatter_add(zeros({span}, options), 0, in_pos, ones({in_pos.numel()}, options));
  return index_select(storage / clamp(sharing, 1.0), 0, in_pos).view(in_sizes);
}

// Views whose gradient is the incoming one reshaped back to the input's shape.
Tensor reshaped_view(const char* op, Tensor out, const Tensor& in) {
  if (!autograd::should_record_any(out.dtype(), in)) return out;  // the common case: skip building the rule
  return autograd::record(op, std::move(out), {in},
                          [sizes = in.sizes().shape()](const Tensor& g) { return Grads{g.reshape(sizes)}; });
}

Tensor alias(const Tensor& base, Shape sizes, Shape strides, int64_t offset) {
  return Tensor(IntrusivePtr<TensorImpl>::make(base.storage(), base.dtype(), std::move(sizes), std::move(strides), offset));
}

Tensor make_view(const Tensor& base, Shape sizes, Shape strides, int64_t offset) {
  Tensor v = alias(base, std::move(sizes), std::move(strides), offset);
  v.impl()->mark_view(base.impl());
  return v;
}

// Replaces a single -1 in `sizes` so that the product is `numel`.
Shape infer_size(IntArrayRef sizes, int64_t numel, const char* op) {
  Shape out = sizes.shape();
  int64_t known = 1;
  int64_t infer_at = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      EMBER_CHECK(infer_at < 0, op, ": only one dimension can be inferred (-1), got shape ", sizes);
      infer_at = static_cast<int64_t>(i);
    } else {
      EMBER_CHECK(out[i] >= 0, op, ": invalid negative size ", out[i], " in shape ", sizes);
      known *= out[i];
    }
  }
  if (infer_at >= 0) {
    EMBER_CHECK(known != 0 && numel % known == 0, op, ": shape ", sizes, " is invalid for input of size ", numel);
    out[static_cast<size_t>(infer_at)] = numel / known;
  }
  EMBER_CHECK(shape_numel(out) == numel, op, ": shape ", sizes, " is invalid for input of size ", numel);
  return out;
}

// Strides that let `new_sizes` view memory laid out as (old_sizes, old_strides),
// or nothing when the view would need a copy (chunks of merged dims must be contiguous).
std::optional<Shape> view_strides(IntArrayRef old_sizes, IntArrayRef old_strides, const Shape& new_sizes) {
  Shape new_strides(new_sizes.size());
  if (old_sizes.empty() || shape_numel(old_sizes) == 0) return contiguous_strides(new_sizes);
  int64_t view_d = static_cast<int64_t>(new_sizes.size()) - 1;
  int64_t chunk_base_stride = old_strides[old_sizes.size() - 1];
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(old_sizes.size()) - 1; d >= 0; --d) {
    const size_t du = static_cast<size_t>(d);
    tensor_numel *= old_sizes[du];
    if (d == 0 || (old_sizes[du - 1] != 1 && old_strides[du - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || new_sizes[static_cast<size_t>(view_d)] == 1)) {
        new_strides[static_cast<size_t>(view_d)] = view_numel * chunk_base_stride;
        view_numel *= new_sizes[static_cast<size_t>(view_d)];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base_stride = old_strides[du - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return new_strides;
}

}  // namespace

int64_t Tensor::size(int64_t d) const {
  EMBER_CHECK(dim() > 0, "size: dim ", d, " specified but the tensor has no dims (0-dim)");
  return impl_->sizes()[static_cast<size_t>(wrap_dim(d, dim(), "size"))];
}
int64_t Tensor::stride(int64_t d) const {
  EMBER_CHECK(dim() > 0, "stride: dim ", d, " specified but the tensor has no dims (0-dim)");
  return impl_->strides()[static_cast<size_t>(wrap_dim(d, dim(), "stride"))];
}

Tensor Tensor::view(IntArrayRef sizes) const {
  ops::check_defined(*this, "view");
  Shape shape = infer_size(sizes, numel(), "view");
  auto strides = view_strides(this->sizes(), this->strides(), shape);
  EMBER_CHECK(strides.has_value(), "view: size ", shape, " is not compatible with the input's size ", this->sizes(),
              " and stride ", this->strides(),
              " (at least one dimension spans two contiguous chunks); use reshape() instead");
  return reshaped_view("view", make_view(*this, std::move(shape), std::move(*strides), storage_offset()), *this);
}

Tensor Tensor::reshape(IntArrayRef sizes) const {
  ops::check_defined(*this, "reshape");
  Shape shape = infer_size(sizes, numel(), "reshape");
  if (auto strides = view_strides(this->sizes(), this->strides(), shape))
    return reshaped_view("reshape", make_view(*this, std::move(shape), std::move(*strides), storage_offset()), *this);
  return contiguous().view(shape);
}

Tensor Tensor::as_strided(IntArrayRef sizes, IntArrayRef strides, std::optional<int64_t> offset) const {
  ops::check_defined(*this, "as_strided");
  EMBER_CHECK(sizes.size() == strides.size(), "as_strided: got ", sizes.size(), " sizes but ", strides.size(),
              " strides");
  const int64_t start = offset.value_or(storage_offset());
  int64_t lowest = start, highest = start;
  for (size_t i = 0; i < sizes.size(); ++i) {
    EMBER_CHECK(sizes[i] >= 0, "as_strided: negative size ", sizes[i], " in ", sizes);
    if (sizes[i] == 0) lowest = 0, highest = -1;
    if (sizes[i] == 0) break;
    const int64_t reach = (sizes[i] - 1) * strides[i];
    (reach >= 0 ? highest : lowest) += reach;
  }
  const int64_t capacity = static_cast<int64_t>(storage()->nbytes() / element_size());
  EMBER_CHECK(highest < lowest || (lowest >= 0 && highest < capacity), "as_strided: sizes ", sizes, " strides ",
              strides, " offset ", start, " reach outside the storage of ", capacity, " elements");
  return autograd::record("as_strided", make_view(*this, sizes.shape(), strides.shape(), start), {*this},
                          [in_sizes = this->sizes().shape(), in_strides = this->strides().shape(), in_offset = storage_offset(),
                           sz = sizes.shape(), st = strides.shape(), start](const Tensor& g) {
                            return Grads{as_strided_backward(g, in_sizes, in_strides, in_offset, sz, st, start)};
                          });
}

Tensor Tensor::permute(IntArrayRef dims) const {
  ops::check_defined(*this, "permute");
  EMBER_CHECK(static_cast<int64_t>(dims.size()) == dim(), "permute: got ", dims.size(), " dims ", dims,
              " for a tensor of ", dim(), " dims (shape ", sizes(), ")");
  Shape sizes_out(dims.size()), strides_out(dims.size());
  std::vector<bool> seen(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    const size_t d = static_cast<size_t>(wrap_dim(dims[i], dim(), "permute"));
    EMBER_CHECK(!seen[d], "permute: dim ", d, " appears twice in ", dims);
    seen[d] = true;
    sizes_out[i] = sizes()[d];
    strides_out[i] = strides()[d];
  }
  Tensor out = make_view(*this, std::move(sizes_out), std::move(strides_out), storage_offset());
  if (!autograd::should_record_any(out.dtype(), *this)) return out;
  // dx = g permuted back
  Shape inverse(dims.size());
  for (size_t i = 0; i < dims.size(); ++i)
    inverse[static_cast<size_t>(wrap_dim(dims[i], dim(), "permute"))] = static_cast<int64_t>(i);
  return autograd::record("permute", out, {*this}, [inverse](const Tensor& g) { return Grads{g.permute(inverse)}; });
}

Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  ops::check_defined(*this, "transpose");
  const size_t a = static_cast<size_t>(wrap_dim(dim0, dim(), "transpose"));
  const size_t b = static_cast<size_t>(wrap_dim(dim1, dim(), "transpose"));
  Shape s = impl_->sizes(), st = impl_->strides();
  if (dim() > 0) std::swap(s[a], s[b]), std::swap(st[a], st[b]);
  return autograd::record("transpose", make_view(*this, std::move(s), std::move(st), storage_offset()), {*this},
                          [a, b](const Tensor& g) {
                            return Grads{g.transpose(static_cast<int64_t>(a), static_cast<int64_t>(b))};
                          });
}

Tensor Tensor::t() const {
  ops::check_defined(*this, "t");
  EMBER_CHECK(dim() <= 2, "t: expects a tensor with <= 2 dims, but got shape ", sizes());
  return dim() < 2 ? transpose(0, 0) : transpose(0, 1);
}

Tensor Tensor::squeeze() const {
  ops::check_defined(*this, "squeeze");
  Shape s, st;
  for (int64_t d = 0; d < dim(); ++d)
    if (sizes()[static_cast<size_t>(d)] != 1) s.push_back(sizes()[static_cast<size_t>(d)]), st.push_back(strides()[static_cast<size_t>(d)]);
  return reshaped_view("squeeze", make_view(*this, std::move(s), std::move(st), storage_offset()), *this);
}

Tensor Tensor::squeeze(int64_t d) const {
  ops::check_defined(*this, "squeeze");
  const size_t w = static_cast<size_t>(wrap_dim(d, dim(), "squeeze"));
  Shape s = impl_->sizes(), st = impl_->strides();
  if (dim() > 0 && s[w] == 1) s.erase(w), st.erase(w);
  return reshaped_view("squeeze", make_view(*this, std::move(s), std::move(st), storage_offset()), *this);
}

Tensor Tensor::unsqueeze(int64_t d) const {
  ops::check_defined(*this, "unsqueeze");
  const size_t w = static_cast<size_t>(wrap_dim(d, dim() + 1, "unsqueeze"));
  Shape s = impl_->sizes(), st = impl_->strides();
  const int64_t stride = w < s.size() ? s[w] * st[w] : 1;
  s.insert(w, 1);
  st.insert(w, stride);
  return reshaped_view("unsqueeze", make_view(*this, std::move(s), std::move(st), storage_offset()), *this);
}

Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  ops::check_defined(*this, "flatten");
  if (dim() == 0) return reshape({1});
  const int64_t s = wrap_dim(start_dim, dim(), "flatten"), e = wrap_dim(end_dim, dim(), "flatten");
  EMBER_CHECK(s <= e, "flatten: start_dim ", start_dim, " comes after end_dim ", end_dim, " for shape ", sizes());
  Shape shape;
  for (int64_t d = 0; d < s; ++d) shape.push_back(size(d));
  int64_t merged = 1;
  for (int64_t d = s; d <= e; ++d) merged *= size(d);
  shape.push_back(merged);
  for (int64_t d = e + 1; d < dim(); ++d) shape.push_back(size(d));
  return reshape(shape);
}

Tensor Tensor::unflatten(int64_t d, IntArrayRef sizes_in) const {
  ops::check_defined(*this, "unflatten");
  const int64_t w = wrap_dim(d, dim(), "unflatten");
  EMBER_CHECK(!sizes_in.empty(), "unflatten: sizes must be non-empty");
  const Shape inner = infer_size(sizes_in, size(w), "unflatten");
  Shape shape;
  for (int64_t i = 0; i < w; ++i) shape.push_back(size(i));
  for (int64_t v : inner) shape.push_back(v);
  for (int64_t i = w + 1; i < dim(); ++i) shape.push_back(size(i));
  return view(shape);
}

Tensor Tensor::expand(IntArrayRef target) const {
  ops::check_defined(*this, "expand");
  const int64_t n = static_cast<int64_t>(target.size());
  EMBER_CHECK(n >= dim(), "expand: the number of sizes (", n, ") must be at least the tensor's dims (", dim(),
              "); target ", target, ", tensor ", sizes());
  Shape s(target.size()), st(target.size());
  for (int64_t i = n - 1; i >= 0; --i) {
    const int64_t src = i - (n - dim());
    const size_t iu = static_cast<size_t>(i);
    if (src < 0) {
      EMBER_CHECK(target[iu] >= 0, "expand: size -1 is not allowed in a new leading dim; target ", target);
      s[iu] = target[iu], st[iu] = 0;
      continue;
    }
    const int64_t have = sizes()[static_cast<size_t>(src)];
    const int64_t want = target[iu] == -1 ? have : target[iu];
    EMBER_CHECK(have == want || have == 1, "expand: the expanded size (", want, ") must match the existing size (",
                have, ") at non-singleton dim ", i, "; target ", target, ", tensor ", sizes());
    s[iu] = want;
    st[iu] = have == want ? strides()[static_cast<size_t>(src)] : 0;
  }
  // The engine sums the gradient back over the expanded dims.
  return autograd::record("expand", make_view(*this, std::move(s), std::move(st), storage_offset()), {*this},
                          [](const Tensor& g) { return Grads{g}; });
}

Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  ops::check_defined(*this, "narrow");
  EMBER_CHECK(dim() > 0, "narrow: cannot narrow a 0-dim tensor");
  const int64_t w = wrap_dim(d, dim(), "narrow");
  const int64_t n = size(w);
  if (start < 0) start += n;
  EMBER_CHECK(start >= 0 && length >= 0 && start + length <= n, "narrow: start ", start, " + length ", length,
              " exceeds size ", n, " of dim ", w, " (shape ", sizes(), ")");
  Shape s = impl_->sizes();
  s[static_cast<size_t>(w)] = length;
  return autograd::record(
      "narrow", make_view(*this, std::move(s), impl_->strides(), storage_offset() + start * stride(w)), {*this},
      [in = sizes().shape(), w, start, length](const Tensor& g) {
        return Grads{ops::view_backward(g, in, [=](const Tensor& b) { return b.narrow(w, start, length); },
                                        "narrow_backward")};
      });
}

Tensor Tensor::slice(int64_t d, std::optional<int64_t> start_in, std::optional<int64_t> end_in, int64_t step) const {
  ops::check_defined(*this, "slice");
  EMBER_CHECK(dim() > 0, "slice: cannot slice a 0-dim tensor");
  EMBER_CHECK(step > 0, "slice: step must be positive, got ", step);
  const int64_t w = wrap_dim(d, dim(), "slice");
  const int64_t n = size(w);
  // Python slice semantics: negative counts from the end, out-of-range clamps.
  auto clampi = [n](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + n : v, 0, n); };
  const int64_t start = clampi(start_in.value_or(0)), end = std::max(start, clampi(end_in.value_or(n)));
  Shape s = impl_->sizes(), st = impl_->strides();
  s[static_cast<size_t>(w)] = (end - start + step - 1) / step;
  st[static_cast<size_t>(w)] *= step;
  return autograd::record(
      "slice", make_view(*this, std::move(s), std::move(st), storage_offset() + start * stride(w)), {*this},
      [in = sizes().shape(), w, start, end, step](const Tensor& g) {
        return Grads{ops::view_backward(g, in, [=](const Tensor& b) { return b.slice(w, start, end, step); },
                                        "slice_backward")};
      });
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  ops::check_defined(*this, "select");
  EMBER_CHECK(dim() > 0, "select: cannot select from a 0-dim tensor");
  const int64_t w = wrap_dim(d, dim(), "select");
  const int64_t n = size(w);
  EMBER_CHECK(index >= -n && index < n, "select: index ", index, " is out of range for dim ", w, " with size ", n,
              " (shape ", sizes(), ")");
  if (index < 0) index += n;
  Shape s = impl_->sizes(), st = impl_->strides();
  s.erase(static_cast<size_t>(w));
  st.erase(static_cast<size_t>(w));
  return autograd::record(
      "select", make_view(*this, std::move(s), std::move(st), storage_offset() + index * stride(w)), {*this},
      [in = sizes().shape(), w, index](const Tensor& g) {
        return Grads{ops::view_backward(g, in, [=](const Tensor& b) { return b.select(w, index); },
                                        "select_backward")};
      });
}

Tensor Tensor::contiguous() const {
  ops::check_defined(*this, "contiguous");
  return is_contiguous() ? *this : clone();
}

Tensor Tensor::clone() const {
  ops::check_defined(*this, "clone");
  Tensor out = ops::new_tensor(sizes(), dtype(), device());
  ops::backend_of(out).copy(out, *this, false);
  return autograd::record("clone", out, {*this}, [](const Tensor& g) { return Grads{g}; });
}

Tensor Tensor::detach() const {
  ops::check_defined(*this, "detach");
  return alias(*this, impl_->sizes(), impl_->strides(), storage_offset());
}

Tensor Tensor::to(Dtype target, bool copy) const {
  ops::check_defined(*this, "to");
  if (target == dtype() && !copy) return *this;
  Tensor out = ops::new_tensor(sizes(), target, device());
  ops::backend_of(out).copy(out, *this, false);
  // The engine casts the gradient back to the input's dtype.
  return autograd::record("to", out, {*this}, [](const Tensor& g) { return Grads{g}; });
}

Tensor Tensor::to(Device target, bool non_blocking, bool copy) const {
  ops::check_defined(*this, "to");
  const Device source = device();
  if (target.type == source.type && (target.index < 0 || target.index == source.index)) return copy ? clone() : *this;
  Tensor out = ops::new_tensor(sizes(), dtype(), target);
  const Tensor src = contiguous();
  ops::copy_backend(out, src, "to").copy(out, src, non_blocking);
  return autograd::record("to", out, {*this}, [source](const Tensor& g) { return Grads{g.to(source)}; });
}

namespace detail {
void fail_no_data(const char* op, IntArrayRef sizes) {
  fail(op, ": the tensor of shape ", sizes, " is on the meta device, which holds no data; move it to a real "
       "device first (Module::to_empty for a model built on meta)");
}
}  // namespace detail

Scalar Tensor::item() const {
  ops::check_defined(*this, "item");
  if (is_meta()) detail::fail_no_data("item", sizes());
  EMBER_CHECK(numel() == 1, "item: a tensor with ", numel(), " elements (shape ", sizes(),
              ") cannot be converted to a scalar; expected exactly one element");
  if (is_floating(dtype())) {
    double v;
    detail::copy_to_buffer(*this, Dtype::float64, &v);
    return v;
  }
  if (dtype() == Dtype::boolean) {
    bool v;
    detail::copy_to_buffer(*this, Dtype::boolean, &v);
    return v;
  }
  int64_t v;
  detail::copy_to_buffer(*this, Dtype::int64, &v);
  return v;
}

namespace detail {
void copy_to_buffer(const Tensor& t, Dtype dtype, void* out) {
  if (t.is_meta()) fail_no_data("to_vector", t.sizes());
  if (t.numel() == 0) return;
  Tensor dst = from_blob(out, t.sizes(), dtype);
  ops::backend_of(t).copy(dst, t, false);
}
}  // namespace detail

}  // namespace ember
