// F.pad in its four modes, and pixel (un)shuffle: composites of narrow, cat,
// index_select and view/permute, so their gradients follow from those.
#include <initializer_list>
#include <string>
#include <vector>

#include "ember/creation.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"

namespace ember::nn::functional {
namespace {

// The source position of each output position along one dim of size n padded by (lo, hi).
Tensor source_indices(int64_t n, int64_t lo, int64_t hi, const std::string& mode, Device device) {
  std::vector<int64_t> index;
  for (int64_t i = -lo; i < n + hi; ++i) {
    int64_t j = i;
    if (mode == "reflect") j = i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    else if (mode == "replicate") j = i < 0 ? 0 : i >= n ? n - 1 : i;
    else j = ((i % n) + n) % n;  // circular
    index.push_back(j);
  }
  return from_buffer(index.data(), Dtype::int64, {static_cast<int64_t>(index.size())},
                     {.dtype = Dtype::int64, .device = device});
}

}  // namespace

Tensor pad(const Tensor& x, IntArrayRef pads, const std::string& mode, double value) {
  EMBER_CHECK(x.defined(), "pad: input tensor is undefined");
  EMBER_CHECK(pads.size() % 2 == 0, "pad: padding length must be even (pairs of left, right), got ", pads);
  const int64_t padded = static_cast<int64_t>(pads.size()) / 2;
  EMBER_CHECK(padded <= x.dim(), "pad: padding ", pads, " covers ", padded, " dims but the input of shape ", x.sizes(),
              " has ", x.dim());
  const bool constant = mode == "constant";
  EMBER_CHECK(constant || mode == "reflect" || mode == "replicate" || mode == "circular",
              "pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got '", mode, "'");
  if (!constant)
    EMBER_CHECK(padded >= 1 && padded <= 3 && (x.dim() == padded + 1 || x.dim() == padded + 2), "pad: mode '", mode,
                "' pads 1 to 3 trailing dims of an input with one or two more dims (batch, channels); got padding ",
                pads, " for an input of shape ", x.sizes());
  Tensor out = x;
  for (int64_t k = 0; k < padded; ++k) {
    const int64_t d = x.dim() - 1 - k, lo = pads[static_cast<size_t>(2 * k)], hi = pads[static_cast<size_t>(2 * k + 1)];
    const int64_t n = out.size(d);
    if (constant) {
      EMBER_CHECK(n + lo + hi >= 0, "pad: padding (", lo, ", ", hi, ") of dim ", d, " (size ", n,
                  ") leaves a negative size");
      if (lo < 0) out = out.narrow(d, -lo, n + lo);
      if (hi < 0) out = out.narrow(d, 0, out.size(d) + hi);
      std::vector<Tensor> parts;
      auto filler = [&](int64_t size) {
        Shape shape = out.sizes().shape();
        shape[static_cast<size_t>(d)] = size;
        return full(shape, value, {.dtype = out.dtype(), .device = out.device()});
      };
      if (lo > 0) parts.push_back(filler(lo));
      parts.push_back(out);
      if (hi > 0) parts.push_back(filler(hi));
      if (parts.size() > 1) out = cat(parts, d);
      continue;
    }
    EMBER_CHECK(lo >= 0 && hi >= 0, "pad: mode '", mode, "' takes no negative padding, got (", lo, ", ", hi, ")");
    if (mode == "reflect")
      EMBER_CHECK(lo < n && hi < n, "pad: reflect padding (", lo, ", ", hi, ") must be less than the size ", n, " of dim ",
                  d);
    if (mode == "circular")
      EMBER_CHECK(lo <= n && hi <= n, "pad: circular padding (", lo, ", ", hi, ") must be at most the size ", n,
                  " of dim ", d);
    if (mode == "replicate") EMBER_CHECK(n > 0, "pad: replicate padding of dim ", d, " needs a non-empty dim");
    if (lo > 0 || hi > 0) out = index_select(out, d, source_indices(n, lo, hi, mode, out.device()));
  }
  return out.is_same(x) ? x.clone() : out;
}

namespace {

// x (*, C, H, W) viewed with its last three dims split as `split`, those permuted by `order`
// and merged to `merged`: the one rearrangement both pixel shuffles are.
Tensor rearrange_chw(const Tensor& x, std::initializer_list<int64_t> split, std::initializer_list<int64_t> order,
                     std::initializer_list<int64_t> merged) {
  const int64_t batch = x.dim() - 3;
  Shape split_shape(x.sizes().begin(), x.sizes().begin() + batch), merged_shape = split_shape, permutation;
  for (int64_t i = 0; i < batch; ++i) permutation.push_back(i);
  for (int64_t s : split) split_shape.push_back(s);
  for (int64_t i : order) permutation.push_back(batch + i);
  for (int64_t s : merged) merged_shape.push_back(s);
  return x.reshape(split_shape).permute(permutation).reshape(merged_shape);
}

void check_chw(const Tensor& x, int64_t factor, const char* op, const char* factor_name) {
  EMBER_CHECK(x.defined(), op, ": input tensor is undefined");
  EMBER_CHECK(factor > 0, op, ": ", factor_name, " must be positive, got ", factor);
  EMBER_CHECK(x.dim() >= 3, op, ": input must have at least 3 dims (C, H, W), got shape ", x.sizes());
}

}  // namespace

// (*, C r^2, H, W) viewed as (*, C, r, r, H, W), permuted to (*, C, H, r, W, r).
Tensor pixel_shuffle(const Tensor& x, int64_t r) {
  check_chw(x, r, "pixel_shuffle", "upscale_factor");
  const int64_t c = x.size(-3), h = x.size(-2), w = x.size(-1);
  EMBER_CHECK(c % (r * r) == 0, "pixel_shuffle: the ", c, " channels of an input of shape ", x.sizes(),
              " are not divisible by upscale_factor^2 = ", r * r);
  return rearrange_chw(x, {c / (r * r), r, r, h, w}, {0, 3, 1, 4, 2}, {c / (r * r), h * r, w * r});
}

// (*, C, H r, W r) viewed as (*, C, H, r, W, r), permuted to (*, C, r, r, H, W).
Tensor pixel_unshuffle(const Tensor& x, int64_t r) {
  check_chw(x, r, "pixel_unshuffle", "downscale_factor");
  const int64_t c = x.size(-3), h = x.size(-2), w = x.size(-1);
  EMBER_CHECK(h % r == 0 && w % r == 0, "pixel_unshuffle: height ", h, " and width ", w, " of an input of shape ",
              x.sizes(), " must be divisible by downscale_factor ", r);
  return rearrange_chw(x, {c, h / r, r, w / r, r}, {0, 2, 4, 1, 3}, {c * r * r, h / r, w / r});
}

}  // namespace ember::nn::functional
