// Indexing built from gather, index_select and where: take_along_dim,
// repeat_interleave and masked_scatter. Their gradients follow from those.
#include <vector>

#include "ember/creation.h"
#include "ember/ops.h"
#include "ops/internal.h"

namespace ember {

Tensor take_along_dim(const Tensor& x, const Tensor& indices, std::optional<int64_t> dim) {
  ops::check_defined(x, "take_along_dim");
  ops::check_defined(indices, "take_along_dim", "indices");
  EMBER_CHECK(indices.dtype() == Dtype::int64, "take_along_dim: indices must be int64, got ", indices.dtype());
  if (!dim) return gather(x.reshape({-1}), 0, indices.reshape({-1}));
  EMBER_CHECK(x.dim() == indices.dim(), "take_along_dim: input (shape ", x.sizes(), ") and indices (shape ",
              indices.sizes(), ") must have the same number of dims");
  const int64_t w = wrap_dim(*dim, x.dim(), "take_along_dim");
  // Every dim but `w` broadcasts; along `w`, x keeps its size and indices theirs.
  Shape x_sizes = x.sizes().shape(), index_sizes = indices.sizes().shape();
  x_sizes[static_cast<size_t>(w)] = indices.size(w);
  Shape index_shape = broadcast_shapes(x_sizes, indices.sizes(), "take_along_dim");
  index_sizes[static_cast<size_t>(w)] = x.size(w);
  Shape x_shape = broadcast_shapes(index_sizes, x.sizes(), "take_along_dim");
  return gather(ops::broadcast_to(x, x_shape), w, ops::broadcast_to(indices, index_shape));
}

namespace {

// index i repeated counts[i] times, as an int64 tensor
Tensor repeated_indices(const std::vector<int64_t>& counts, Device device) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < counts.size(); ++i) out.insert(out.end(), static_cast<size_t>(counts[i]), static_cast<int64_t>(i));
  return from_buffer(out.data(), Dtype::int64, {static_cast<int64_t>(out.size())}, {.dtype = Dtype::int64, .device = device});
}

std::vector<int64_t> checked_counts(const Tensor& repeats) {
  ops::check_defined(repeats, "repeat_interleave", "repeats");
  EMBER_CHECK(is_integral(repeats.dtype(), false), "repeat_interleave: repeats must be an integer tensor, got ",
              repeats.dtype());
  EMBER_CHECK(repeats.dim() <= 1, "repeat_interleave: repeats must be 0-dim or 1-dim, got shape ", repeats.sizes());
  const std::vector<int64_t> counts = repeats.to_vector<int64_t>();
  for (int64_t c : counts) EMBER_CHECK(c >= 0, "repeat_interleave: repeats can not be negative, got ", c);
  return counts;
}

}  // namespace

Tensor repeat_interleave(const Tensor& repeats) {
  return repeated_indices(checked_counts(repeats), repeats.device());
}

Tensor repeat_interleave(const Tensor& x, const Tensor& repeats, std::optional<int64_t> dim) {
  ops::check_defined(x, "repeat_interleave");
  const Tensor input = dim ? x : x.reshape({-1});
  const int64_t w = dim ? wrap_dim(*dim, input.dim(), "repeat_interleave") : 0;
  std::vector<int64_t> counts = checked_counts(repeats);
  const int64_t n = input.dim() == 0 ? 1 : input.size(w);
  if (counts.size() == 1) counts.assign(static_cast<size_t>(n), counts[0]);
  EMBER_CHECK(static_cast<int64_t>(counts.size()) == n, "repeat_interleave: repeats has ", counts.size(),
              " entries but the input has ", n, " along dim ", w);
  if (input.dim() == 0) return input.reshape({1}).index_select(0, repeated_indices(counts, x.device()));
  return index_select(input, w, repeated_indices(counts, x.device()));
}

Tensor repeat_interleave(const Tensor& x, int64_t repeats, std::optional<int64_t> dim) {
  return repeat_interleave(x, scalar_tensor(repeats, {.dtype = Dtype::int64, .device = x.device()}), dim);
}

// The k-th true position (row-major) takes source's k-th element: position p
// reads source[cumsum(mask)[p] - 1], then where() keeps x elsewhere.
Tensor masked_scatter(const Tensor& x, const Tensor& mask, const Tensor& source) {
  ops::check_defined(x, "masked_scatter");
  ops::check_defined(mask, "masked_scatter", "mask");
  ops::check_defined(source, "masked_scatter", "source");
  EMBER_CHECK(mask.dtype() == Dtype::boolean, "masked_scatter: mask must be bool, got ", mask.dtype());
  EMBER_CHECK(source.dtype() == x.dtype(), "masked_scatter: source must have the input's dtype ", x.dtype(), ", got ",
              source.dtype());
  const Tensor m = ops::broadcast_to(mask, broadcast_shapes(mask.sizes(), x.sizes(), "masked_scatter"));
  EMBER_CHECK(m.sizes() == x.sizes(), "masked_scatter: mask of shape ", mask.sizes(), " does not broadcast to the input's ",
              x.sizes());
  const Tensor position = cumsum(m.reshape({-1}), 0) - 1;  // int64
  // On meta there are no values to count: the bounds check is skipped, the result has x's shape either way.
  const int64_t needed = x.numel() == 0 ? 0 : ops::has_values(position) ? position[-1].item<int64_t>() + 1 : 1;
  EMBER_CHECK(!ops::has_values(position) || source.numel() >= needed, "masked_scatter: the mask selects ", needed,
              " elements but source has only ", source.numel());
  if (needed == 0) return x.clone();
  const Tensor taken = index_select(source.reshape({-1}), 0, clamp(position, 0, std::nullopt)).view(x.sizes());
  return where(m, taken, x);
}

Tensor& Tensor::masked_scatter_(const Tensor& mask, const Tensor& source) {
  return ops::assign_inplace(*this, "masked_scatter_", {source},
                             [&](const Tensor& s) { return ember::masked_scatter(s, mask, source); });
}

}  // namespace ember
