// tril and triu: a mask of the last two dims, built from two aranges and
// applied with masked_fill (so NaN and infinity outside the triangle become 0,
// and the gradient there is zero).
#include "ember/creation.h"
#include "ember/ops.h"
#include "ops/internal.h"

namespace ember {
namespace {

// True where column - row >= diagonal (upper) or <= diagonal (lower).
Tensor triangle_mask(const Tensor& x, int64_t diagonal, bool upper, const char* op) {
  ops::check_defined(x, op);
  EMBER_CHECK(x.dim() >= 2, op, ": input must have at least 2 dims, got shape ", x.sizes());
  const int64_t rows = x.size(-2), cols = x.size(-1);
  const TensorOptions ints{.dtype = Dtype::int64, .device = x.device()};
  const Tensor offset = arange(cols, ints).unsqueeze(0) - arange(rows, ints).unsqueeze(1);  // column - row
  return upper ? ge(offset, diagonal) : le(offset, diagonal);
}

}  // namespace

Tensor tril(const Tensor& x, int64_t diagonal) {
  return masked_fill(x, logical_not(triangle_mask(x, diagonal, false, "tril")), 0);
}

Tensor triu(const Tensor& x, int64_t diagonal) {
  return masked_fill(x, logical_not(triangle_mask(x, diagonal, true, "triu")), 0);
}

Tensor& Tensor::tril_(int64_t diagonal) {
  return ops::assign_inplace(*this, "tril_", {}, [&](const Tensor& s) { return ember::tril(s, diagonal); });
}

Tensor& Tensor::triu_(int64_t diagonal) {
  return ops::assign_inplace(*this, "triu_", {}, [&](const Tensor& s) { return ember::triu(s, diagonal); });
}

}  // namespace ember
