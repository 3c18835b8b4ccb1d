// Joining and splitting: cat, stack, split, chunk, unbind; and the copies
// that replicate or move data: repeat, flip, roll.
#include "graph/record.h"
#include "ops/internal.h"

namespace ember {

using autograd::Grads;

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  EMBER_CHECK(!tensors.empty(), "cat: expected a non-empty list of tensors");
  // As PyTorch, 1-D empty tensors are skipped (legacy behaviour relied on by many loops).
  std::vector<Tensor> parts;
  Dtype dtype = Dtype::boolean;
  bool first = true;
  for (const Tensor& t : tensors) {
    ops::check_defined(t, "cat");
    dtype = first ? t.dtype() : promote_types(dtype, t.dtype());
    first = false;
    if (!(t.dim() == 1 && t.numel() == 0)) parts.push_back(t);
  }
  if (parts.empty()) return ops::new_tensor({0}, dtype, tensors[0].device());
  const Tensor& ref = parts[0];
  EMBER_CHECK(ref.dim() > 0, "cat: zero-dimensional tensors cannot be concatenated");
  const int64_t w = wrap_dim(dim, ref.dim(), "cat");
  Shape shape = ref.sizes().shape();
  shape[static_cast<size_t>(w)] = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Tensor& t = parts[i];
    ops::check_same_device(ref, t, "cat");
    EMBER_CHECK(t.dim() == ref.dim(), "cat: tensor 0 has ", ref.dim(), " dims but tensor ", i, " has ", t.dim(),
                " (shapes ", ref.sizes(), " and ", t.sizes(), ")");
    for (int64_t d = 0; d < t.dim(); ++d)
      EMBER_CHECK(d == w || t.size(d) == ref.size(d), "cat: sizes must match except in dim ", w, "; tensor ", i,
                  " has shape ", t.sizes(), " but tensor 0 has ", ref.sizes());
    shape[static_cast<size_t>(w)] += t.size(w);
  }
  Tensor out = ops::new_tensor(shape, dtype, ref.device());
  std::vector<int64_t> sizes;
  {
    NoGradGuard no_grad;
    int64_t offset = 0;
    for (const Tensor& t : parts) {
      if (t.size(w) > 0) ops::backend_of(out).copy(out.narrow(w, offset, t.size(w)), t, false);
      offset += t.size(w);
      sizes.push_back(t.size(w));
    }
  }
  // Each input's gradient is its slice of g.
  return autograd::record("cat", out, parts, [w, sizes](const Tensor& g) {
    Grads grads;
    int64_t offset = 0;
    for (int64_t n : sizes) grads.push_back(g.narrow(w, offset, n)), offset += n;
    return grads;
  });
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  EMBER_CHECK(!tensors.empty(), "stack: expected a non-empty list of tensors");
  ops::check_defined(tensors[0], "stack");
  const int64_t w = wrap_dim(dim, tensors[0].dim() + 1, "stack");
  std::vector<Tensor> parts;
  for (size_t i = 0; i < tensors.size(); ++i) {
    ops::check_defined(tensors[i], "stack");
    EMBER_CHECK(tensors[i].sizes() == tensors[0].sizes(), "stack: expects each tensor to be equal size, but got ",
                tensors[0].sizes(), " at entry 0 and ", tensors[i].sizes(), " at entry ", i);
    parts.push_back(tensors[i].unsqueeze(w));
  }
  return cat(parts, w);
}

std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim) {
  ops::check_defined(x, "split");
  EMBER_CHECK(x.dim() > 0, "split: cannot split a 0-dim tensor");
  const int64_t w = wrap_dim(dim, x.dim(), "split");
  const int64_t n = x.size(w);
  EMBER_CHECK(split_size > 0 || (split_size == 0 && n == 0), "split: split_size must be positive, got ", split_size);
  std::vector<Tensor> out;
  if (n == 0) return {x};
  for (int64_t start = 0; start < n; start += split_size) out.push_back(x.narrow(w, start, std::min(split_size, n - start)));
  return out;
}

std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& sizes, int64_t dim) {
  ops::check_defined(x, "split");
  EMBER_CHECK(x.dim() > 0, "split: cannot split a 0-dim tensor");
  const int64_t w = wrap_dim(dim, x.dim(), "split");
  int64_t total = 0;
  for (int64_t s : sizes) {
    EMBER_CHECK(s >= 0, "split: split sizes must be non-negative, got ", IntArrayRef(sizes));
    total += s;
  }
  EMBER_CHECK(total == x.size(w), "split: split sizes ", IntArrayRef(sizes), " sum to ", total, " but dim ", w,
              " has size ", x.size(w));
  std::vector<Tensor> out;
  int64_t start = 0;
  for (int64_t s : sizes) out.push_back(x.narrow(w, start, s)), start += s;
  return out;
}

std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim) {
  ops::check_defined(x, "chunk");
  EMBER_CHECK(chunks > 0, "chunk: number of chunks must be positive, got ", chunks);
  EMBER_CHECK(x.dim() > 0, "chunk: cannot chunk a 0-dim tensor");
  const int64_t w = wrap_dim(dim, x.dim(), "chunk");
  const int64_t n = x.size(w);
  // An empty dim gives `chunks` empty pieces (as PyTorch's split_with_sizes does), not one.
  if (n == 0) {
    std::vector<Tensor> pieces;
    for (int64_t i = 0; i < chunks; ++i) pieces.push_back(x.narrow(w, 0, 0));  // separate views, as any split gives
    return pieces;
  }
  return split(x, (n + chunks - 1) / chunks, w);
}

std::vector<Tensor> unbind(const Tensor& x, int64_t dim) {
  ops::check_defined(x, "unbind");
  EMBER_CHECK(x.dim() > 0, "unbind: cannot unbind a 0-dim tensor");
  const int64_t w = wrap_dim(dim, x.dim(), "unbind");
  std::vector<Tensor> out;
  for (int64_t i = 0; i < x.size(w); ++i) out.push_back(x.select(w, i));
  return out;
}

// Along each dim: the last `shift` elements (mod the size) move to the front.
Tensor roll(const Tensor& x, IntArrayRef shifts, IntArrayRef dims) {
  ops::check_defined(x, "roll");
  EMBER_CHECK(!shifts.empty(), "roll: expected at least one shift");
  if (dims.empty()) {
    EMBER_CHECK(shifts.size() == 1, "roll: without dims, one shift is expected (the tensor is flattened), got ",
                shifts);
    return roll(x.flatten(), shifts, {0}).view(x.sizes());
  }
  EMBER_CHECK(shifts.size() == dims.size(), "roll: shifts ", shifts, " and dims ", dims, " must have one entry each");
  Tensor out = x;
  for (size_t k = 0; k < dims.size(); ++k) {
    const int64_t w = wrap_dim(dims[k], x.dim(), "roll"), n = x.size(w);
    if (n == 0) continue;
    const int64_t s = ((shifts[k] % n) + n) % n;
    if (s != 0) out = cat({out.narrow(w, n - s, s), out.narrow(w, 0, n - s)}, w);
  }
  return out.is_same(x) ? x.clone() : out;
}

Tensor repeat(const Tensor& x, IntArrayRef repeats) {
  ops::check_defined(x, "repeat");
  const int64_t nd = static_cast<int64_t>(repeats.size());
  EMBER_CHECK(nd >= x.dim(), "repeat: number of repeat dims (", nd, ") can not be smaller than the tensor's dims (",
              x.dim(), ")");
  Shape padded(static_cast<size_t>(nd - x.dim()), 1);
  for (int64_t s : x.sizes()) padded.push_back(s);
  const Tensor base = x.contiguous().view(padded);
  // View as (r0, s0, r1, s1, ...) with stride 0 on each repeat dim, then copy.
  Shape sizes, strides, out_shape;
  for (size_t i = 0; i < repeats.size(); ++i) {
    EMBER_CHECK(repeats[i] >= 0, "repeat: repeats must be non-negative, got ", repeats);
    sizes.push_back(repeats[i]), strides.push_back(0);
    sizes.push_back(padded[i]), strides.push_back(base.stride(static_cast<int64_t>(i)));
    out_shape.push_back(repeats[i] * padded[i]);
  }
  Tensor out;
  if (shape_numel(out_shape) == 0) {
    out = ops::new_tensor(out_shape, x.dtype(), x.device());
  } else {
    NoGradGuard no_grad;
    out = base.as_strided(sizes, strides).clone().view(out_shape);
  }
  // dx: g seen as (r0, s0, r1, s1, ...), summed over the repeat dims
  return autograd::record("repeat", out, {x}, [in = x.sizes().shape(), sizes](const Tensor& g) {
    Shape repeat_dims;
    for (size_t i = 0; i < sizes.size(); i += 2) repeat_dims.push_back(static_cast<int64_t>(i));
    return Grads{g.reshape(sizes).sum(repeat_dims).reshape(in)};
  });
}

Tensor flip(const Tensor& x, IntArrayRef dims) {
  ops::check_defined(x, "flip");
  Shape strides = x.strides().shape();
  int64_t offset = x.storage_offset();
  std::vector<bool> seen(static_cast<size_t>(std::max<int64_t>(x.dim(), 1)), false);
  for (int64_t d : dims) {
    const size_t w = static_cast<size_t>(wrap_dim(d, x.dim(), "flip"));
    EMBER_CHECK(!seen[w], "flip: dim ", w, " appears multiple times in ", dims);
    seen[w] = true;
    if (x.dim() == 0 || x.size(static_cast<int64_t>(w)) == 0) continue;
    offset += (x.size(static_cast<int64_t>(w)) - 1) * strides[w];
    strides[w] = -strides[w];
  }
  if (x.numel() == 0) return x.clone();
  Tensor out;
  {
    NoGradGuard no_grad;
    out = x.as_strided(x.sizes(), strides, offset).clone();
  }
  return autograd::record("flip", out, {x}, [d = dims.shape()](const Tensor& g) { return Grads{flip(g, d)}; });
}

}  // namespace ember
