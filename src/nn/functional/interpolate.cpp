// F::interpolate: resampling (N, C, spatial...) along each spatial dim in
// turn. Along one dim every output position reads 1 (nearest), 2 (linear) or
// 4 (cubic) input positions with weights, so the op is a weighted sum of
// index_selects and its gradients (to any order) are index_add's. The source
// positions follow PyTorch's rules exactly, including its arithmetic type
// (float for nearest and for float32 inputs), so the same input cells are read.
#include <cmath>
#include <vector>

#include "ember/creation.h"
#include "ember/nn/functional.h"
#include "ember/ops.h"

namespace ember::nn::functional {
namespace {

// Output position i of one dim reads index[tap][i] with weight[tap][i].
struct Taps {
  std::vector<std::vector<int64_t>> index;
  std::vector<std::vector<double>> weight;
};

Taps make_taps(size_t count, int64_t out) {
  return {std::vector<std::vector<int64_t>>(count, std::vector<int64_t>(static_cast<size_t>(out))),
          std::vector<std::vector<double>>(count, std::vector<double>(static_cast<size_t>(out)))};
}

// Input cells per output cell: 1 / scale_factor when one was given, else in / out.
template <class T>
T scale_value(std::optional<double> scale, int64_t in, int64_t out) {
  return scale && *scale > 0 ? static_cast<T>(1.0 / *scale) : static_cast<T>(in) / static_cast<T>(out);
}

template <class T>
T linear_scale(int64_t in, int64_t out, bool align_corners, std::optional<double> scale) {
  if (align_corners) return out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : T(0);
  return scale_value<T>(scale, in, out);
}

// Where output position i samples the input: pixel centres aligned (half-pixel
// offsets) unless align_corners; linear clamps a negative position to 0.
template <class T>
T source_position(T scale, int64_t i, bool align_corners, bool cubic) {
  if (align_corners) return scale * static_cast<T>(i);
  const T src = scale * (static_cast<T>(i) + T(0.5)) - T(0.5);
  return !cubic && src < 0 ? T(0) : src;
}

Taps nearest_taps(int64_t in, int64_t out, std::optional<double> scale, bool exact) {
  Taps taps = make_taps(1, out);
  const float s = scale_value<float>(scale, in, out);
  for (int64_t i = 0; i < out; ++i) {
    int64_t src;
    if (exact) {
      src = std::min(static_cast<int64_t>(std::floor((static_cast<float>(i) + 0.5f) * s)), in - 1);
    } else if (out == in) {
      src = i;
    } else if (out == 2 * in) {
      src = i >> 1;
    } else {
      src = std::min(static_cast<int64_t>(std::floor(static_cast<float>(i) * s)), in - 1);
    }
    taps.index[0][static_cast<size_t>(i)] = src;
    taps.weight[0][static_cast<size_t>(i)] = 1.0;
  }
  return taps;
}

// The cell below the source position (at most in - 1) and the fraction past it, in [0, 1].
template <class T>
std::pair<int64_t, T> cell_and_fraction(T src, int64_t in) {
  const int64_t cell = std::min(static_cast<int64_t>(std::floor(src)), in - 1);
  return {cell, std::min(std::max(src - static_cast<T>(cell), T(0)), T(1))};
}

template <class T>
Taps linear_taps(int64_t in, int64_t out, bool align_corners, std::optional<double> scale) {
  Taps taps = make_taps(2, out);
  const T s = linear_scale<T>(in, out, align_corners, scale);
  for (int64_t i = 0; i < out; ++i) {
    const auto [cell, t] = cell_and_fraction(source_position(s, i, align_corners, false), in);
    const auto k = static_cast<size_t>(i);
    taps.index[0][k] = cell;
    taps.index[1][k] = cell + (cell < in - 1 ? 1 : 0);
    taps.weight[0][k] = static_cast<double>(T(1) - t);
    taps.weight[1][k] = static_cast<double>(t);
  }
  return taps;
}

// Keys' cubic convolution with a = -0.75 (PyTorch's and OpenCV's choice); taps
// at cell - 1 .. cell + 2, positions past an edge read the edge.
template <class T>
Taps cubic_taps(int64_t in, int64_t out, bool align_corners, std::optional<double> scale) {
  constexpr T a = T(-0.75);
  const auto near = [&](T x) { return ((a + 2) * x - (a + 3)) * x * x + 1; };              // |x| <= 1
  const auto far = [&](T x) { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a; };        // 1 < |x| < 2
  Taps taps = make_taps(4, out);
  const T s = linear_scale<T>(in, out, align_corners, scale);
  for (int64_t i = 0; i < out; ++i) {
    const auto [cell, t] = cell_and_fraction(source_position(s, i, align_corners, true), in);
    const T w[4] = {far(t + 1), near(t), near(1 - t), far(2 - t)};
    for (size_t tap = 0; tap < 4; ++tap) {
      const int64_t at = cell - 1 + static_cast<int64_t>(tap);
      taps.index[tap][static_cast<size_t>(i)] = std::clamp<int64_t>(at, 0, in - 1);
      taps.weight[tap][static_cast<size_t>(i)] = static_cast<double>(w[tap]);
    }
  }
  return taps;
}

// sum over taps of weight (along `dim`) * x.index_select(dim, index)
Tensor resample_dim(const Tensor& x, int64_t dim, const Taps& taps) {
  const auto out = static_cast<int64_t>(taps.index[0].size());
  Shape weight_shape(static_cast<size_t>(x.dim()), 1);
  weight_shape[static_cast<size_t>(dim)] = out;
  Tensor sum;
  for (size_t tap = 0; tap < taps.index.size(); ++tap) {
    const Tensor index = from_buffer(taps.index[tap].data(), Dtype::int64, {out}, {.device = x.device()});
    Tensor term = index_select(x, dim, index);
    if (taps.index.size() > 1)
      term = term * from_buffer(taps.weight[tap].data(), Dtype::float64, weight_shape,
                                {.dtype = x.dtype(), .device = x.device()});
    sum = sum.defined() ? sum + term : term;
  }
  return sum;
}

int64_t spatial_dims_of(const std::string& mode) {
  if (mode == "linear") return 1;
  if (mode == "bilinear" || mode == "bicubic") return 2;
  if (mode == "trilinear") return 3;
  return 0;  // any
}

}  // namespace

Tensor interpolate(const Tensor& x, const InterpolateOptions& o) {
  const char* op = "interpolate";
  EMBER_CHECK(x.defined(), op, ": input is undefined");
  const std::string& mode = o.mode;
  const bool nearest = mode == "nearest" || mode == "nearest-exact";
  EMBER_CHECK(nearest || mode == "area" || spatial_dims_of(mode) > 0, op, ": mode '", mode,
              "' is not one of nearest, nearest-exact, linear, bilinear, bicubic, trilinear, area");
  EMBER_CHECK(x.dim() >= 3 && x.dim() <= 5, op, ": expected a 3-D, 4-D or 5-D input (N, C, spatial...), got shape ",
              x.sizes());
  const int64_t dims = x.dim() - 2;
  EMBER_CHECK(spatial_dims_of(mode) == 0 || spatial_dims_of(mode) == dims, op, ": got ", x.dim(), "-D input, but ",
              mode, " mode needs ", spatial_dims_of(mode) + 2, "-D input");
  EMBER_CHECK(!o.align_corners || spatial_dims_of(mode) > 0, op,
              ": align_corners can only be set with the interpolating modes linear, bilinear, bicubic and trilinear");
  EMBER_CHECK(o.size.empty() != o.scale_factor.empty(), op,
              o.size.empty() ? ": either size or scale_factor must be given" : ": give size or scale_factor, not both");
  const auto per_dim = [&](size_t given, const char* what) {
    EMBER_CHECK(given == 1 || given == static_cast<size_t>(dims), op, ": ", what, " needs 1 or ", dims,
                " values for an input with ", dims, " spatial dims (shape ", x.sizes(), "), got ", given);
  };
  std::vector<int64_t> out_size(static_cast<size_t>(dims));
  std::vector<std::optional<double>> scales(static_cast<size_t>(dims));
  if (!o.size.empty()) {
    per_dim(o.size.size(), "size");
    for (size_t d = 0; d < out_size.size(); ++d) out_size[d] = o.size.size() == 1 ? o.size[0] : o.size[d];
  } else {
    per_dim(o.scale_factor.size(), "scale_factor");
    for (size_t d = 0; d < out_size.size(); ++d) {
      const double factor = o.scale_factor.size() == 1 ? o.scale_factor[0] : o.scale_factor[d];
      EMBER_CHECK(factor > 0 && std::isfinite(factor), op, ": scale_factor must be positive, got ", factor);
      out_size[d] = static_cast<int64_t>(std::floor(static_cast<double>(x.size(static_cast<int64_t>(d) + 2)) * factor));
      // The kernel uses the factor itself unless asked to recompute it from the sizes.
      if (!o.recompute_scale_factor.value_or(false)) scales[d] = factor;
    }
  }
  for (size_t d = 0; d < out_size.size(); ++d) {
    EMBER_CHECK(out_size[d] > 0, op, ": output size ", IntArrayRef(out_size), " must be positive (input ", x.sizes(), ")");
    EMBER_CHECK(x.size(static_cast<int64_t>(d) + 2) > 0, op, ": input of shape ", x.sizes(), " has an empty spatial dim");
  }
  if (mode == "area") {  // adaptive average pooling
    EMBER_CHECK(dims <= 2, op, ": area mode supports 3-D and 4-D inputs, got shape ", x.sizes());
    return dims == 1 ? adaptive_avg_pool1d(x, out_size[0]) : adaptive_avg_pool2d(x, out_size);
  }
  EMBER_CHECK(is_floating(x.dtype()), op, ": input must be floating point, got ", dtype_name(x.dtype()));
  const bool corners = o.align_corners.value_or(false);
  const bool single = x.dtype() != Dtype::float64;  // PyTorch's arithmetic type for the positions
  Tensor y = x;
  for (int64_t d = 0; d < dims; ++d) {
    const int64_t in = x.size(d + 2), out = out_size[static_cast<size_t>(d)];
    const std::optional<double> scale = scales[static_cast<size_t>(d)];
    Taps taps;
    if (nearest) taps = nearest_taps(in, out, scale, mode == "nearest-exact");
    else if (mode == "bicubic") taps = single ? cubic_taps<float>(in, out, corners, scale) : cubic_taps<double>(in, out, corners, scale);
    else taps = single ? linear_taps<float>(in, out, corners, scale) : linear_taps<double>(in, out, corners, scale);
    y = resample_dim(y, d + 2, taps);
  }
  return y;
}

}  // namespace ember::nn::functional
