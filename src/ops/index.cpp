// Indexing: index_select, gather, scatter(_add), integer and boolean-mask
// indexing, masked_select, nonzero, sort/argsort/topk, one_hot.
#include "graph/record.h"
#include "ops/internal.h"

namespace ember {
namespace {

using autograd::Grads;
using autograd::Saved;

// The gradient of scatter's src: g at the scattered positions, in src's shape
// (src may be larger than index; the rest of it was not used).
Tensor scattered_src_grad(const Tensor& g, int64_t dim, const Tensor& index, IntArrayRef src_sizes) {
  const Tensor picked = gather(g, dim, index);
  if (picked.sizes() == src_sizes) return picked;
  return ops::view_backward(picked, src_sizes, [sizes = index.sizes().shape()](const Tensor& b) {
    Tensor v = b;
    for (size_t d = 0; d < sizes.size(); ++d) v = v.narrow(static_cast<int64_t>(d), 0, sizes[d]);
    return v;
  }, "scatter_src_backward");
}

// Values picked along `dim` at `indices` (sort, topk): the gradient goes back there.
Tensor record_picked(const char* op, const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim) {
  return autograd::record(op, values, {x}, [in = x.sizes().shape(), idx = Saved::input(indices), dim](const Tensor& g) {
    return Grads{scatter(zeros(in, {.dtype = g.dtype(), .device = g.device()}), dim, idx.get(), g)};
  });
}

// An int64 contiguous copy of an integer index tensor.
Tensor as_index(const Tensor& index, const char* op) {
  ops::check_defined(index, op, "index");
  EMBER_CHECK(is_integral(index.dtype(), false), op, ": expected an integer index tensor, got ",
              dtype_name(index.dtype()));
  return ops::as_dtype(index, Dtype::int64).contiguous();
}

// Every index in [0, size); the error names the first offender.
void check_range(const Tensor& index, int64_t size, const char* op, int64_t dim) {
  if (index.numel() == 0 || !ops::has_values(index)) return;
  const int64_t lo = amin(index).item<int64_t>(), hi = amax(index).item<int64_t>();
  EMBER_CHECK(lo >= 0 && hi < size, op, ": index ", lo < 0 ? lo : hi, " is out of bounds for dim ", dim,
              " with size ", size);
}

// Moves `dim` last and views x as (rows, size(dim)), contiguous.
Tensor rows_along(const Tensor& x, int64_t dim) {
  const Tensor moved = x.transpose(dim, -1).contiguous();
  // The row count is spelled out: reshape cannot infer -1 when size(dim) is 0.
  const int64_t rows = shape_numel(IntArrayRef(moved.sizes().data(), moved.sizes().size() - 1));
  return moved.reshape({rows, x.size(dim)});
}

// Inverse of rows_along for an (rows, k) result.
Tensor from_rows(const Tensor& r, const Tensor& x, int64_t dim, int64_t k) {
  Shape shape = x.transpose(dim, -1).sizes().shape();
  shape.back() = k;
  return r.view(shape).transpose(dim, -1);
}

void check_scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, const char* op) {
  EMBER_CHECK(index.dim() == self.dim() && src.dim() == self.dim(), op, ": index (shape ", index.sizes(),
              ") and src (shape ", src.sizes(), ") must have as many dims as self (shape ", self.sizes(), ")");
  for (int64_t d = 0; d < index.dim(); ++d) {
    EMBER_CHECK(index.size(d) <= src.size(d), op, ": index shape ", index.sizes(), " exceeds src shape ", src.sizes(),
                " at dim ", d);
    EMBER_CHECK(d == dim || index.size(d) <= self.size(d), op, ": index shape ", index.sizes(),
                " exceeds self shape ", self.sizes(), " at dim ", d);
  }
  EMBER_CHECK(self.dtype() == src.dtype(), op, ": expected self and src to have one dtype, got ",
              dtype_name(self.dtype()), " and ", dtype_name(src.dtype()));
}

Tensor& scatter_impl(Tensor& self, int64_t dim, const Tensor& index_in, const Tensor& src, bool accumulate,
                     const char* op) {
  ops::check_defined(self, op);
  ops::check_defined(src, op, "src");
  ops::check_no_internal_overlap(self, op);
  const int64_t w = wrap_dim(dim, self.dim(), op);
  const Tensor index = as_index(index_in, op);
  const Tensor& src_view = src;
  check_scatter(self, w, index, src_view, op);
  check_range(index, self.dim() == 0 ? 1 : self.size(w), op, w);
  const Tensor source = ops::partially_overlaps(self, src_view) ? src_view.clone() : src_view;
  if (index.numel() > 0) ops::backend_of(self).scatter(self, w, index, source, accumulate);
  ops::bump_version(self);
  return self;
}

}  // namespace

namespace {
Tensor scatter_recorded(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate,
                        const char* op);
}  // namespace

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index_in) {
  ops::check_defined(x, "index_select");
  const Tensor index = as_index(index_in, "index_select");
  EMBER_CHECK(index.dim() <= 1, "index_select: index must be 0-D or 1-D, got shape ", index.sizes());
  const Tensor xv = x.dim() == 0 ? x.view({1}) : x;
  const int64_t w = wrap_dim(dim, xv.dim(), "index_select");
  check_range(index, xv.size(w), "index_select", w);
  Shape shape = xv.sizes().shape();
  shape[static_cast<size_t>(w)] = index.numel();
  Tensor out = ops::new_tensor(shape, x.dtype(), x.device());
  const Tensor flat_index = index.reshape({-1});
  if (out.numel() > 0) ops::backend_of(out).index_select(out, xv, w, flat_index);
  // dx = zeros with g's rows added at their indices
  out = autograd::record("index_select", out, {xv}, [in = xv.sizes().shape(), w, saved = Saved::input(flat_index)](
                                                          const Tensor& g) {
    Shape along(static_cast<size_t>(g.dim()), 1);
    along[static_cast<size_t>(w)] = -1;
    const Tensor idx = saved.get().view(along).expand(g.sizes());
    return Grads{scatter_add(zeros(in, {.dtype = g.dtype(), .device = g.device()}), w, idx, g)};
  });
  return x.dim() == 0 ? out.view({}) : out;
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index_in) {
  ops::check_defined(x, "gather");
  const Tensor index = as_index(index_in, "gather");
  const int64_t w = wrap_dim(dim, x.dim(), "gather");
  EMBER_CHECK(index.dim() == x.dim(), "gather: index (shape ", index.sizes(), ") must have as many dims as input (shape ",
              x.sizes(), ")");
  for (int64_t d = 0; d < x.dim(); ++d)
    EMBER_CHECK(d == w || index.size(d) <= x.size(d), "gather: index shape ", index.sizes(), " exceeds input shape ",
                x.sizes(), " at dim ", d);
  check_range(index, x.dim() == 0 ? 1 : x.size(w), "gather", w);
  Tensor out = ops::new_tensor(index.sizes(), x.dtype(), x.device());
  if (out.numel() > 0) ops::backend_of(out).gather(out, x, w, index);
  // dx = zeros with g added at the gathered positions
  return autograd::record("gather", out, {x}, [in = x.sizes().shape(), w, idx = Saved::input(index)](const Tensor& g) {
    return Grads{scatter_add(zeros(in, {.dtype = g.dtype(), .device = g.device()}), w, idx.get(), g)};
  });
}

namespace {

// scatter: dx = g with the overwritten positions zeroed, dsrc = g gathered there.
// scatter_add: dx = g, dsrc = g gathered at the index.
Tensor scatter_recorded(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate,
                        const char* op) {
  ops::check_defined(x, op);
  ops::check_defined(src, op, "src");
  Tensor out;
  {
    NoGradGuard no_grad;
    out = x.clone();
    scatter_impl(out, dim, index, src, accumulate, op);
  }
  const int64_t w = wrap_dim(dim, x.dim(), op);
  return autograd::record(op, out, {x, src}, [w, saved = Saved::input(as_index(index, op)),
                                             src_sizes = src.sizes().shape(), accumulate](const Tensor& g) {
    const Tensor idx = saved.get();
    return Grads{accumulate ? g : scatter(g, w, idx, 0.0), scattered_src_grad(g, w, idx, src_sizes)};
  });
}

}  // namespace

Tensor& scatter_(Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  if (autograd::inplace_recorded(x, "scatter_", {src}, [&](const Tensor& s) {
        return scatter_recorded(s, dim, index, src, false, "scatter_");
      }))
    return x;
  return scatter_impl(x, dim, index, src, false, "scatter_");
}
Tensor& scatter_add_(Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  if (autograd::inplace_recorded(x, "scatter_add_", {src}, [&](const Tensor& s) {
        return scatter_recorded(s, dim, index, src, true, "scatter_add_");
      }))
    return x;
  return scatter_impl(x, dim, index, src, true, "scatter_add_");
}
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_recorded(x, dim, index, src, false, "scatter");
}
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, Scalar value) {
  ops::check_defined(x, "scatter");
  ops::check_defined(index, "scatter", "index");
  return scatter_recorded(x, dim, index, ops::scalar_as(value, x.dtype(), x.device()).expand(index.sizes()), false,
                          "scatter");
}
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_recorded(x, dim, index, src, true, "scatter_add");
}

Tensor masked_select(const Tensor& x, const Tensor& mask) {
  ops::check_defined(x, "masked_select");
  ops::check_defined(mask, "masked_select", "mask");
  EMBER_CHECK(mask.dtype() == Dtype::boolean, "masked_select: expected a bool mask, got ", dtype_name(mask.dtype()));
  const Shape shape = broadcast_shapes(x.sizes(), mask.sizes(), "masked_select");
  const Tensor xb = ops::broadcast_to(x, shape), mb = ops::broadcast_to(mask, shape);
  ops::check_has_values(mb, "masked_select");
  const int64_t count = sum(mb).item<int64_t>();
  Tensor out = ops::new_tensor({count}, x.dtype(), x.device());
  if (count > 0) ops::backend_of(out).masked_select(out, xb.detach(), mb);
  // dx = zeros of the broadcast shape with g placed at the selected positions
  // (the engine sums it back to x's shape)
  return autograd::record("masked_select", out, {x}, [shape, m = mb](const Tensor& g) {
    const Tensor positions = nonzero(m.reshape({-1})).view({-1});
    const Tensor flat = scatter(zeros({shape_numel(shape)}, {.dtype = g.dtype(), .device = g.device()}), 0, positions, g);
    return Grads{flat.view(shape)};
  });
}

Tensor nonzero(const Tensor& x) {
  ops::check_defined(x, "nonzero");
  ops::check_has_values(x, "nonzero");
  const int64_t count = sum(ne(x, 0)).item<int64_t>();
  Tensor out = ops::new_tensor({count, x.dim()}, Dtype::int64, x.device());
  if (count > 0 && x.dim() > 0) ops::backend_of(out).nonzero(out, x);
  return out;
}

Tensor index(const Tensor& x, const Tensor& indices) {
  ops::check_defined(x, "index");
  ops::check_defined(indices, "index", "indices");
  if (indices.dtype() == Dtype::boolean) {
    // A mask over x's leading dims selects those positions: result (N, rest...).
    EMBER_CHECK(indices.dim() <= x.dim(), "index: mask of shape ", indices.sizes(), " has more dims than the tensor (shape ",
                x.sizes(), ")");
    for (int64_t d = 0; d < indices.dim(); ++d)
      EMBER_CHECK(indices.size(d) == x.size(d), "index: the shape of the mask ", indices.sizes(), " at index ", d,
                  " does not match the shape of the indexed tensor ", x.sizes());
    Shape rows_shape{-1};
    for (int64_t d = indices.dim(); d < x.dim(); ++d) rows_shape.push_back(x.size(d));
    const Tensor positions = nonzero(indices.reshape({-1})).view({-1});
    return index_select(x.reshape(rows_shape), 0, positions);
  }
  EMBER_CHECK(x.dim() > 0, "index: cannot index a 0-dim tensor with an integer tensor");
  Tensor idx = as_index(indices, "index");
  // Python semantics: negative indices count from the end.
  const int64_t n = x.size(0);
  if (idx.numel() > 0) {
    if (ops::has_values(idx))
      EMBER_CHECK(amin(idx).item<int64_t>() >= -n && amax(idx).item<int64_t>() < n, "index: an index in ",
                  idx.sizes(), " is out of bounds for dim 0 with size ", n);
    idx = where(lt(idx, 0), idx + n, idx);
  }
  Shape shape = idx.sizes().shape();
  for (int64_t d = 1; d < x.dim(); ++d) shape.push_back(x.size(d));
  return index_select(x, 0, idx.reshape({-1})).view(shape);
}

std::pair<Tensor, Tensor> sort(const Tensor& x, int64_t dim, bool descending, bool stable) {
  ops::check_defined(x, "sort");
  if (x.dim() == 0) return {x.clone(), zeros({}, {.dtype = Dtype::int64, .device = x.device()})};
  const int64_t w = wrap_dim(dim, x.dim(), "sort");
  Tensor sorted, order;
  {
    NoGradGuard no_grad;
    const Tensor rows = rows_along(x, w);
    Tensor values = ops::new_tensor(rows.sizes(), x.dtype(), x.device());
    Tensor indices = ops::new_tensor(rows.sizes(), Dtype::int64, x.device());
    if (rows.numel() > 0) ops::backend_of(x).sort(values, indices, rows, descending, stable);
    sorted = from_rows(values, x, w, x.size(w)).contiguous();
    order = from_rows(indices, x, w, x.size(w)).contiguous();
  }
  return {record_picked("sort", sorted, order, x, w), order};
}

Tensor argsort(const Tensor& x, int64_t dim, bool descending, bool stable) {
  return sort(x, dim, descending, stable).second;
}

std::pair<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim, bool largest, bool sorted) {
  ops::check_defined(x, "topk");
  const int64_t w = wrap_dim(dim, x.dim(), "topk");
  const int64_t n = x.dim() == 0 ? 1 : x.size(w);
  EMBER_CHECK(k >= 0 && k <= n, "topk: k (", k, ") is out of range for dim ", w, " with size ", n);
  if (x.dim() == 0) return {x.clone(), zeros({}, {.dtype = Dtype::int64, .device = x.device()})};
  Tensor top, where_from;
  {
    NoGradGuard no_grad;
    const Tensor rows = rows_along(x, w);
    Tensor values = ops::new_tensor({rows.size(0), k}, x.dtype(), x.device());
    Tensor indices = ops::new_tensor({rows.size(0), k}, Dtype::int64, x.device());
    if (values.numel() > 0) ops::backend_of(x).topk(values, indices, rows, k, largest, sorted);
    top = from_rows(values, x, w, k).contiguous();
    where_from = from_rows(indices, x, w, k).contiguous();
  }
  return {record_picked("topk", top, where_from, x, w), where_from};
}

Tensor one_hot(const Tensor& indices_in, int64_t num_classes) {
  const Tensor indices = as_index(indices_in, "one_hot");
  if (num_classes == -1) {
    EMBER_CHECK(indices.numel() > 0, "one_hot: can not infer the number of classes from an empty tensor");
    ops::check_has_values(indices, "one_hot (num_classes = -1)");
    num_classes = amax(indices).item<int64_t>() + 1;
  }
  EMBER_CHECK(num_classes > 0 || indices.numel() == 0, "one_hot: num_classes must be positive, got ", num_classes);
  if (indices.numel() > 0 && ops::has_values(indices))
    EMBER_CHECK(amin(indices).item<int64_t>() >= 0 && amax(indices).item<int64_t>() < num_classes,
                "one_hot: class values must be in [0, ", num_classes, ")");
  Shape shape = indices.sizes().shape();
  shape.push_back(num_classes);
  Tensor out = zeros(shape, {.dtype = Dtype::int64, .device = indices.device()});
  if (indices.numel() == 0) return out;
  Tensor idx = indices.unsqueeze(-1);
  return scatter_(out, -1, idx, ones(idx.sizes(), {.dtype = Dtype::int64, .device = indices.device()}));
}

}  // namespace ember
