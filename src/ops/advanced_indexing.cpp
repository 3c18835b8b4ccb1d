// NumPy's advanced indexing (x[i0, :, i2]) and index_put, composed of
// permute, reshape, index_select and scatter: the indexed dims are moved to
// the front and flattened into one, the index tensors become one linear index
// into it, and the gradients (duplicates accumulating) come from those ops.
#include <algorithm>
#include <vector>

#include "ember/creation.h"
#include "ember/ops.h"
#include "ops/internal.h"

namespace ember {
namespace {

// An indexing expression resolved against x: which dims are indexed, and the
// one linear index into those dims (flattened in order), broadcast to B.
struct Resolved {
  std::vector<int64_t> indexed;  // x's dims with an index tensor, in order
  std::vector<int64_t> rest;     // the others, in order
  Shape broadcast;               // B
  Tensor linear;                 // int64 (numel(B)): the position in the flattened indexed dims
  bool adjacent = true;          // the indexed dims are consecutive: B replaces them in place
};

Resolved resolve(const Tensor& x, const std::vector<Tensor>& indices, const char* op) {
  ops::check_defined(x, op);
  // Bool masks stand for their nonzero coordinates, one index tensor per mask dim.
  std::vector<Tensor> expanded;
  for (size_t i = 0; i < indices.size(); ++i) {
    const Tensor& t = indices[i];
    if (!t.defined()) {
      expanded.push_back(t);
      continue;
    }
    EMBER_CHECK(t.dtype() == Dtype::boolean || is_integral(t.dtype(), false), op, ": index ", i,
                " must be an integer or bool tensor, got ", dtype_name(t.dtype()));
    if (t.dtype() != Dtype::boolean) {
      expanded.push_back(t);
      continue;
    }
    const int64_t at = static_cast<int64_t>(expanded.size());
    EMBER_CHECK(at + t.dim() <= x.dim(), op, ": the mask of index ", i, " (shape ", t.sizes(), ") has more dims than ",
                "the tensor has left (shape ", x.sizes(), ")");
    for (int64_t d = 0; d < t.dim(); ++d)
      EMBER_CHECK(t.size(d) == x.size(at + d), op, ": the shape of the mask ", t.sizes(), " at index ", d,
                  " does not match the shape of the indexed tensor ", x.sizes(), " at index ", at + d);
    const Tensor coordinates = nonzero(t);  // (count, mask dims)
    for (int64_t d = 0; d < t.dim(); ++d) expanded.push_back(coordinates.select(1, d));
  }
  EMBER_CHECK(static_cast<int64_t>(expanded.size()) <= x.dim(), op, ": too many indices for a tensor of dimension ",
              x.dim(), " (got ", expanded.size(), ")");
  Resolved r;
  for (int64_t d = 0; d < x.dim(); ++d) {
    const bool has = d < static_cast<int64_t>(expanded.size()) && expanded[static_cast<size_t>(d)].defined();
    (has ? r.indexed : r.rest).push_back(d);
  }
  EMBER_CHECK(!r.indexed.empty(), op, ": needs at least one index tensor (all entries are whole dims)");
  r.adjacent = r.indexed.back() - r.indexed.front() + 1 == static_cast<int64_t>(r.indexed.size());
  for (int64_t d : r.indexed) {
    const Tensor& t = expanded[static_cast<size_t>(d)];
    r.broadcast = r.broadcast.empty() && d == r.indexed.front() ? t.sizes().shape()
                                                               : broadcast_shapes(r.broadcast, t.sizes(), op);
  }
  // The linear index: sum over the indexed dims of (index, wrapped) * the stride of that dim in the flattening.
  int64_t stride = 1;
  for (size_t j = r.indexed.size(); j-- > 0;) {
    const int64_t d = r.indexed[j], size = x.size(d);
    Tensor t = ops::as_dtype(expanded[static_cast<size_t>(d)], Dtype::int64);
    if (t.numel() > 0 && ops::has_values(t)) {
      const int64_t lo = amin(t).item<int64_t>(), hi = amax(t).item<int64_t>();
      EMBER_CHECK(lo >= -size && hi < size, op, ": index ", lo < -size ? lo : hi, " is out of bounds for dimension ",
                  d, " with size ", size);
    }
    t = where(lt(t, 0), t + size, t);
    const Tensor term = t * stride;
    r.linear = r.linear.defined() ? r.linear + term : term;
    stride *= size;
  }
  r.linear = ops::broadcast_to(r.linear, r.broadcast).reshape({-1});
  return r;
}

// x with its indexed dims first, flattened into one: (prod of indexed sizes, rest...).
Tensor flattened(const Tensor& x, const Resolved& r) {
  std::vector<int64_t> order = r.indexed;
  order.insert(order.end(), r.rest.begin(), r.rest.end());
  Shape shape{-1};
  for (int64_t d : r.rest) shape.push_back(x.size(d));
  return x.permute(order).reshape(shape);
}

// The result's dim order, as a permutation of (B, rest...): B where the indexed
// dims were when they are adjacent (after the rest dims before them), else first.
std::vector<int64_t> arrangement(const Resolved& r) {
  const auto b = static_cast<int64_t>(r.broadcast.size()), total = b + static_cast<int64_t>(r.rest.size());
  const int64_t before = r.adjacent ? r.indexed.front() : 0;  // rest dims ahead of B
  std::vector<int64_t> order;
  for (int64_t i = 0; i < before; ++i) order.push_back(b + i);
  for (int64_t i = 0; i < b; ++i) order.push_back(i);
  for (int64_t i = b + before; i < total; ++i) order.push_back(i);
  return order;
}

std::vector<int64_t> inverse_of(const std::vector<int64_t>& order) {
  std::vector<int64_t> inverse(order.size());
  for (size_t i = 0; i < order.size(); ++i) inverse[static_cast<size_t>(order[i])] = static_cast<int64_t>(i);
  return inverse;
}

// (B, rest...): what index_select of the flattened dims gives.
Shape picked_shape(const Tensor& x, const Resolved& r) {
  Shape shape = r.broadcast;
  for (int64_t d : r.rest) shape.push_back(x.size(d));
  return shape;
}

// flattened()'s result, back in x's dim order.
Tensor restored(const Tensor& flat, const Tensor& x, const Resolved& r) {
  std::vector<int64_t> order = r.indexed;
  order.insert(order.end(), r.rest.begin(), r.rest.end());
  Shape permuted;
  for (int64_t d : order) permuted.push_back(x.size(d));
  return flat.view(permuted).permute(inverse_of(order));
}

}  // namespace

Tensor index(const Tensor& x, const std::vector<Tensor>& indices) {
  const Resolved r = resolve(x, indices, "index");
  return index_select(flattened(x, r), 0, r.linear).view(picked_shape(x, r)).permute(arrangement(r));
}

Tensor index_put(const Tensor& x, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate) {
  ops::check_defined(values, "index_put", "values");
  EMBER_CHECK(values.dtype() == x.dtype(), "index_put: values (", dtype_name(values.dtype()),
              ") must have the tensor's dtype (", dtype_name(x.dtype()), ")");
  const Resolved r = resolve(x, indices, "index_put");
  const Tensor flat = flattened(x, r);  // (P, rest...)
  // x[indices]'s shape: values broadcast to it, then laid out as flat's rows (numel(B), rest...).
  const Shape picked = picked_shape(x, r);
  const std::vector<int64_t> order = arrangement(r);
  Shape indexed;
  for (int64_t i : order) indexed.push_back(picked[static_cast<size_t>(i)]);
  EMBER_CHECK(broadcast_shapes(indexed, values.sizes(), "index_put") == indexed, "index_put: values of shape ",
              values.sizes(), " do not broadcast to the indexed shape ", indexed);
  Shape rows_shape{r.linear.numel()};
  for (int64_t d : r.rest) rows_shape.push_back(x.size(d));
  const Tensor rows = ops::broadcast_to(values, indexed).permute(inverse_of(order)).reshape(rows_shape);
  Shape view_shape(static_cast<size_t>(rows.dim()), 1);
  view_shape[0] = r.linear.numel();
  const Tensor at = r.linear.view(view_shape).expand(rows.sizes());
  const Tensor written = accumulate ? scatter_add(flat, 0, at, rows) : scatter(flat, 0, at, rows);
  return restored(written, x, r);
}

Tensor& index_put_(Tensor& x, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate) {
  return ops::assign_inplace(x, "index_put_", {values},
                             [&](const Tensor& s) { return index_put(s, indices, values, accumulate); });
}

}  // namespace ember
