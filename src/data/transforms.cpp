// torchvision's image transforms: conversion, normalization, geometry (flip, pad,
// crop, resize, rotate, translate) as index_select/narrow/where over H and W, and
// color/erasing. Random ones draw only from sample_generator(). Float images are
// (C, H, W) or (H, W); integer (raw, pre-ToTensor) images are (H, W, C) or (H, W),
// as the datasets hand them out. Every transform keeps its input's layout and dtype.
#include "ember/data/transforms.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <optional>
#include <utility>

#include "ember/creation.h"
#include "ember/data/dataset.h"
#include "ember/ops.h"

namespace ember::data::transforms {
namespace {

// ---- random draws, all from sample_generator() -------------------------------

double uniform(double low, double high) {
  const double u = rand({1}, {.dtype = kFloat64}, &sample_generator()).item<double>();
  return low + (high - low) * u;
}

// Uniform in [low, high], both included.
int64_t uniform_int(int64_t low, int64_t high) {
  return randint(low, high + 1, {1}, {}, &sample_generator()).item<int64_t>();
}

bool coin(double p) { return uniform(0.0, 1.0) < p; }

// Python's round(): halves go to the even neighbour (round(0.5) == 0, round(1.5) == 2).
int64_t round_half_even(double v) {
  double r = std::round(v);
  if (std::abs(r - v) == 0.5) r = 2.0 * std::round(v / 2.0);
  return static_cast<int64_t>(r);
}

// ---- image layouts ----------------------------------------------------------------

struct ImageSize {
  int64_t height, width;
};

struct Box {
  int64_t top, left, height, width;
};

bool is_hwc(const Tensor& x) { return x.dim() == 3 && !x.is_floating_point(); }

// Checks that x is an image (see the layouts above) and gives its size.
ImageSize check_image(const Tensor& x, const char* op) {
  EMBER_CHECK(x.defined(), op, ": the image is an undefined tensor");
  EMBER_CHECK(x.dim() == 2 || x.dim() == 3, op,
              ": expected an image of shape (C, H, W) or (H, W) (integer images: (H, W, C) or (H, W)), got shape ",
              x.sizes());
  const ImageSize s = is_hwc(x) ? ImageSize{x.size(0), x.size(1)} : ImageSize{x.size(-2), x.size(-1)};
  EMBER_CHECK(s.height > 0 && s.width > 0, op, ": the image of shape ", x.sizes(), " is empty");
  return s;
}

// Runs fn on x seen as (C, H, W) or (H, W), and gives the result x's layout.
// Below this point every image is in that form: H and W are its last two dims.
template <class Fn>
Tensor in_chw(const Tensor& x, const Fn& fn) {
  if (!is_hwc(x)) return fn(x);
  return fn(x.permute({2, 0, 1})).permute({1, 2, 0});
}

ImageSize size_of(const Tensor& img) { return {img.size(-2), img.size(-1)}; }

Tensor crop(const Tensor& img, const Box& box) {
  return img.narrow(-2, box.top, box.height).narrow(-1, box.left, box.width);
}

void check_range(std::pair<double, double> range, double min, const char* op, const char* what) {
  EMBER_CHECK(range.first >= min && range.first <= range.second, op, ": ", what, " must be (min, max) with ", min,
              " <= min <= max, got (", range.first, ", ", range.second, ")");
}

void check_probability(double p, const char* op) {
  EMBER_CHECK(p >= 0 && p <= 1, op, ": p must be in [0, 1], got ", p);
}

// ---- padding ------------------------------------------------------------------------

enum class PadMode { constant, edge, reflect };

PadMode parse_pad_mode(const std::string& mode, const char* op) {
  if (mode == "constant") return PadMode::constant;
  if (mode == "edge") return PadMode::edge;
  if (mode == "reflect") return PadMode::reflect;
  ::ember::detail::fail(op, ": padding_mode '", mode, "' is not one of constant, edge, reflect");
}

struct Padding {
  int64_t left, top, right, bottom;
};

Padding uniform_padding(int64_t padding) { return {padding, padding, padding, padding}; }

// For each output position along an axis of n pixels padded by (before, after),
// the source pixel: the nearest one (edge) or the mirror image that does not
// repeat the edge pixel (reflect, as numpy's: 2 1 | 0 1 2 | 1 0).
Tensor pad_indices(int64_t n, int64_t before, int64_t after, PadMode mode) {
  std::vector<int64_t> source;
  source.reserve(static_cast<size_t>(before + n + after));
  for (int64_t i = -before; i < n + after; ++i) {
    if (mode == PadMode::edge) source.push_back(std::clamp<int64_t>(i, 0, n - 1));
    else source.push_back(i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  }
  return tensor(source);
}

Tensor pad_image(const Tensor& img, const Padding& p, double fill, PadMode mode, const char* op) {
  if (p.left == 0 && p.top == 0 && p.right == 0 && p.bottom == 0) return img;
  const ImageSize s = size_of(img);
  if (mode == PadMode::constant) {
    Shape shape = img.sizes().shape();
    shape[shape.size() - 2] += p.top + p.bottom;
    shape[shape.size() - 1] += p.left + p.right;
    Tensor out = full(shape, fill, {.dtype = img.dtype()});
    crop(out, {p.top, p.left, s.height, s.width}).copy_(img);
    return out;
  }
  if (mode == PadMode::reflect) {
    const int64_t largest = std::max({p.left, p.top, p.right, p.bottom});
    EMBER_CHECK(largest < s.height && largest < s.width, op, ": reflect padding ", largest,
                " must be smaller than the image ", s.height, "x", s.width);
  }
  return img.index_select(-2, pad_indices(s.height, p.top, p.bottom, mode))
      .index_select(-1, pad_indices(s.width, p.left, p.right, mode));
}

// torchvision's center_crop: a too-small image is first zero-padded (the odd
// pixel going right/bottom); top and left are Python's round((size - crop) / 2).
Tensor center_crop(const Tensor& img, int64_t height, int64_t width, const char* op) {
  const ImageSize s = size_of(img);
  const int64_t pad_h = std::max<int64_t>(height - s.height, 0), pad_w = std::max<int64_t>(width - s.width, 0);
  const Tensor padded =
      pad_image(img, {pad_w / 2, pad_h / 2, (pad_w + 1) / 2, (pad_h + 1) / 2}, 0.0, PadMode::constant, op);
  const int64_t top = round_half_even(static_cast<double>(s.height + pad_h - height) / 2.0);
  const int64_t left = round_half_even(static_cast<double>(s.width + pad_w - width) / 2.0);
  return crop(padded, {top, left, height, width});
}

// ---- resizing ------------------------------------------------------------------------

enum class Interpolation { bilinear, nearest };

Interpolation parse_interpolation(const std::string& name, const char* op) {
  if (name == "bilinear") return Interpolation::bilinear;
  if (name == "nearest") return Interpolation::nearest;
  ::ember::detail::fail(op, ": interpolation '", name, "' is not one of bilinear, nearest");
}

// PyTorch's 'nearest': output i reads input floor(i * in / out), the scale in float as F.interpolate.
Tensor nearest_indices(int64_t in, int64_t out) {
  const float scale = static_cast<float>(in) / static_cast<float>(out);
  std::vector<int64_t> source(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; ++i)
    source[static_cast<size_t>(i)] =
        std::min(static_cast<int64_t>(std::floor(static_cast<float>(i) * scale)), in - 1);
  return tensor(source);
}

// img resampled along `dim` to `out` samples by linear interpolation with
// half-pixel centers (align_corners=False), as F.interpolate(mode="bilinear").
Tensor linear_resample(const Tensor& img, int64_t dim, int64_t out) {
  const int64_t in = img.size(dim);
  const double scale = static_cast<double>(in) / static_cast<double>(out);
  std::vector<int64_t> lo(static_cast<size_t>(out)), hi(static_cast<size_t>(out));
  std::vector<double> w_lo(static_cast<size_t>(out)), w_hi(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; ++i) {
    const size_t k = static_cast<size_t>(i);
    // math: src = (i + 0.5) * in / out - 0.5, clamped at 0; past the last pixel both neighbours are it
    const double src = std::max((static_cast<double>(i) + 0.5) * scale - 0.5, 0.0);
    lo[k] = std::min(static_cast<int64_t>(src), in - 1);
    hi[k] = std::min(lo[k] + 1, in - 1);
    w_hi[k] = std::clamp(src - static_cast<double>(lo[k]), 0.0, 1.0);
    w_lo[k] = 1.0 - w_hi[k];
  }
  Shape along(static_cast<size_t>(img.dim()), 1);
  along[static_cast<size_t>(img.dim() + dim)] = out;  // dim is -2 or -1
  const Tensor weight_lo = from_buffer(w_lo.data(), kFloat64, along, {.dtype = img.dtype()});
  const Tensor weight_hi = from_buffer(w_hi.data(), kFloat64, along, {.dtype = img.dtype()});
  return img.index_select(dim, tensor(lo)) * weight_lo + img.index_select(dim, tensor(hi)) * weight_hi;
}

// Integer images are interpolated in float32 and rounded back.
Tensor resize_image(const Tensor& img, int64_t height, int64_t width, Interpolation mode) {
  const ImageSize s = size_of(img);
  if (s.height == height && s.width == width) return img;
  if (mode == Interpolation::nearest)
    return img.index_select(-2, nearest_indices(s.height, height)).index_select(-1, nearest_indices(s.width, width));
  const Tensor imgf = img.is_floating_point() ? img : img.to(kFloat32);
  const Tensor out = linear_resample(linear_resample(imgf, -2, height), -1, width);
  return img.is_floating_point() ? out : out.round().to(img.dtype());
}

// torchvision's RandomResizedCrop.get_params: up to 10 tries of a random area
// (fraction of the image in `scale`) and log-uniform aspect ratio w/h in
// `ratio`; then the whole image, cut to the nearest ratio in range, centered.
Box resized_crop_box(const ImageSize& s, std::pair<double, double> scale, std::pair<double, double> ratio) {
  const double area = static_cast<double>(s.height * s.width);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target_area = area * uniform(scale.first, scale.second);
    const double aspect = std::exp(uniform(std::log(ratio.first), std::log(ratio.second)));
    const int64_t w = round_half_even(std::sqrt(target_area * aspect));
    const int64_t h = round_half_even(std::sqrt(target_area / aspect));
    if (w > 0 && w <= s.width && h > 0 && h <= s.height) {
      const int64_t top = uniform_int(0, s.height - h);
      return {top, uniform_int(0, s.width - w), h, w};
    }
  }
  const double in_ratio = static_cast<double>(s.width) / static_cast<double>(s.height);
  int64_t w = s.width, h = s.height;
  if (in_ratio < ratio.first) h = std::max<int64_t>(round_half_even(static_cast<double>(w) / ratio.first), 1);
  else if (in_ratio > ratio.second) w = std::max<int64_t>(round_half_even(static_cast<double>(h) * ratio.second), 1);
  return {(s.height - h) / 2, (s.width - w) / 2, h, w};
}

// ---- rotation and translation -------------------------------------------------------

// out[i, j] = img[round(sy), round(sx)], or fill where that lies outside, with
// (sx, sy) the map `inverse` (2x3, row-major) applied to the center of pixel
// (i, j) measured from the image center: torchvision's affine grid then
// grid_sample(nearest, align_corners=False), which rounds halves to even.
Tensor sample_nearest(const Tensor& img, const std::array<double, 6>& inverse, double fill) {
  const ImageSize s = size_of(img);
  const double cx = static_cast<double>(s.width) / 2.0, cy = static_cast<double>(s.height) / 2.0;
  std::vector<int64_t> source(static_cast<size_t>(s.height * s.width), 0);
  std::vector<bool> inside(source.size(), false);
  for (int64_t i = 0; i < s.height; ++i) {
    for (int64_t j = 0; j < s.width; ++j) {
      const double xc = static_cast<double>(j) + 0.5 - cx, yc = static_cast<double>(i) + 0.5 - cy;
      const int64_t sx = round_half_even(inverse[0] * xc + inverse[1] * yc + inverse[2] + cx - 0.5);
      const int64_t sy = round_half_even(inverse[3] * xc + inverse[4] * yc + inverse[5] + cy - 0.5);
      if (sx < 0 || sx >= s.width || sy < 0 || sy >= s.height) continue;
      source[static_cast<size_t>(i * s.width + j)] = sy * s.width + sx;
      inside[static_cast<size_t>(i * s.width + j)] = true;
    }
  }
  const int64_t pixels = s.height * s.width;
  const Tensor sampled = img.reshape({img.numel() / pixels, pixels}).index_select(1, tensor(source));
  const Tensor fill_value = scalar_tensor(fill, {.dtype = img.dtype()});
  return where(tensor(inside).view({1, pixels}), sampled, fill_value).reshape(img.sizes());
}

// ---- color and erasing -----------------------------------------------------------------

// The mean of the grayscale image: torchvision's rgb_to_grayscale weights
// (0.2989, 0.587, 0.114) for 3 channels, the channel itself for 1.
Tensor mean_gray(const Tensor& img) {
  if (img.dim() == 2 || img.size(0) == 1) return img.mean();
  return (img[0] * 0.2989 + img[1] * 0.587 + img[2] * 0.114).mean();
}

// torchvision's _blend: factor * img + (1 - factor) * other, clamped to [0, bound].
Tensor blend(const Tensor& img, const Tensor& other, double factor, double bound) {
  return (img * factor + other * (1.0 - factor)).clamp(0.0, bound);
}

// torchvision's RandomErasing.get_params: up to 10 tries of a random area and
// log-uniform aspect h/w that fit strictly inside the image; none if all fail.
std::optional<Box> erasing_box(const ImageSize& s, std::pair<double, double> scale, std::pair<double, double> ratio) {
  const double area = static_cast<double>(s.height * s.width);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double erase_area = area * uniform(scale.first, scale.second);
    const double aspect = std::exp(uniform(std::log(ratio.first), std::log(ratio.second)));
    const int64_t h = round_half_even(std::sqrt(erase_area * aspect));
    const int64_t w = round_half_even(std::sqrt(erase_area / aspect));
    if (!(h < s.height && w < s.width)) continue;
    const int64_t top = uniform_int(0, s.height - h);
    return Box{top, uniform_int(0, s.width - w), h, w};
  }
  return std::nullopt;
}

// dim is -1 (left-right) or -2 (top-bottom) of the (C, H, W) form.
Transform random_flip(double p, int64_t dim, const char* op) {
  check_probability(p, op);
  return [p, dim, op](const Tensor& x) -> Tensor {
    check_image(x, op);
    if (!coin(p)) return x;
    return in_chw(x, [dim](const Tensor& img) { return img.flip({dim}); });
  };
}

}  // namespace

Transform Compose(std::vector<Transform> transforms) {
  for (size_t i = 0; i < transforms.size(); ++i)
    EMBER_CHECK(static_cast<bool>(transforms[i]), "Compose: transform ", i, " is empty");
  return [transforms = std::move(transforms)](const Tensor& x) {
    Tensor out = x;
    for (const Transform& transform : transforms) out = transform(out);
    return out;
  };
}

Transform ToTensor() {
  return [](const Tensor& x) -> Tensor {
    EMBER_CHECK(x.defined(), "ToTensor: the image is an undefined tensor");
    if (x.is_floating_point()) return x;
    EMBER_CHECK(x.dtype() == kUInt8 && (x.dim() == 2 || x.dim() == 3),
                "ToTensor: expected a uint8 (H, W) or (H, W, C) image or a float tensor, got ", x.dtype(),
                " of shape ", x.sizes());
    const Tensor chw = x.dim() == 2 ? x.unsqueeze(0) : x.permute({2, 0, 1});
    return chw.contiguous().to(kFloat32).div(255);
  };
}

Transform Normalize(std::vector<double> means, std::vector<double> stds) {
  EMBER_CHECK(means.size() == stds.size(), "Normalize: got ", means.size(), " means but ", stds.size(), " stds");
  for (size_t c = 0; c < stds.size(); ++c)
    EMBER_CHECK(stds[c] != 0, "Normalize: std[", c, "] is 0, which would divide by zero");
  return [means = std::move(means), stds = std::move(stds)](const Tensor& x) {
    EMBER_CHECK(x.defined() && x.dim() == 3, "Normalize: expected a (C, H, W) image, got shape ",
                x.defined() ? x.sizes() : IntArrayRef());
    EMBER_CHECK(x.is_floating_point(), "Normalize: expected a float image (apply ToTensor first), got ", x.dtype());
    const int64_t channels = static_cast<int64_t>(means.size());
    EMBER_CHECK(x.size(0) == channels, "Normalize: ", channels, " means and stds for an image of ", x.size(0),
                " channels (shape ", x.sizes(), ")");
    const Tensor shift = from_buffer(means.data(), kFloat64, {channels, 1, 1}, {.dtype = x.dtype()});
    const Tensor scale = from_buffer(stds.data(), kFloat64, {channels, 1, 1}, {.dtype = x.dtype()});
    return (x - shift) / scale;
  };
}

Transform RandomHorizontalFlip(double p) { return random_flip(p, -1, "RandomHorizontalFlip"); }
Transform RandomVerticalFlip(double p) { return random_flip(p, -2, "RandomVerticalFlip"); }

Transform Pad(int64_t padding, double fill, std::string padding_mode) {
  EMBER_CHECK(padding >= 0, "Pad: padding must be non-negative, got ", padding);
  const PadMode mode = parse_pad_mode(padding_mode, "Pad");
  return [padding, fill, mode](const Tensor& x) {
    check_image(x, "Pad");
    return in_chw(x, [&](const Tensor& img) { return pad_image(img, uniform_padding(padding), fill, mode, "Pad"); });
  };
}

Transform RandomCrop(int64_t size, int64_t padding, double fill, std::string padding_mode) {
  EMBER_CHECK(size > 0, "RandomCrop: size must be positive, got ", size);
  EMBER_CHECK(padding >= 0, "RandomCrop: padding must be non-negative, got ", padding);
  const PadMode mode = parse_pad_mode(padding_mode, "RandomCrop");
  return [size, padding, fill, mode](const Tensor& x) {
    check_image(x, "RandomCrop");
    return in_chw(x, [&](const Tensor& img) {
      const Tensor padded = pad_image(img, uniform_padding(padding), fill, mode, "RandomCrop");
      const ImageSize s = size_of(padded);
      EMBER_CHECK(size <= s.height && size <= s.width, "RandomCrop: crop size ", size, " is larger than the ",
                  padding > 0 ? "padded " : "", "image ", s.height, "x", s.width);
      if (s.height == size && s.width == size) return padded;  // torchvision draws nothing here
      const int64_t top = uniform_int(0, s.height - size);
      return crop(padded, {top, uniform_int(0, s.width - size), size, size});
    });
  };
}

Transform CenterCrop(int64_t size) {
  EMBER_CHECK(size > 0, "CenterCrop: size must be positive, got ", size);
  return [size](const Tensor& x) {
    check_image(x, "CenterCrop");
    return in_chw(x, [size](const Tensor& img) { return center_crop(img, size, size, "CenterCrop"); });
  };
}

Transform Resize(int64_t height, int64_t width, std::string interpolation) {
  EMBER_CHECK(height > 0 && width > 0, "Resize: the size must be positive, got ", height, "x", width);
  const Interpolation mode = parse_interpolation(interpolation, "Resize");
  return [height, width, mode](const Tensor& x) {
    check_image(x, "Resize");
    return in_chw(x, [&](const Tensor& img) { return resize_image(img, height, width, mode); });
  };
}

Transform RandomResizedCrop(int64_t size, std::pair<double, double> scale, std::pair<double, double> ratio) {
  EMBER_CHECK(size > 0, "RandomResizedCrop: size must be positive, got ", size);
  check_range(scale, 0.0, "RandomResizedCrop", "scale");
  EMBER_CHECK(ratio.first > 0 && ratio.first <= ratio.second,
              "RandomResizedCrop: ratio must be (min, max) with 0 < min <= max, got (", ratio.first, ", ",
              ratio.second, ")");
  return [size, scale, ratio](const Tensor& x) {
    const Box box = resized_crop_box(check_image(x, "RandomResizedCrop"), scale, ratio);
    return in_chw(x, [&](const Tensor& img) {
      return resize_image(crop(img, box), size, size, Interpolation::bilinear);
    });
  };
}

Transform RandomRotation(double degrees, double fill) {
  EMBER_CHECK(degrees >= 0 && std::isfinite(degrees), "RandomRotation: degrees must be non-negative, got ",
              degrees);
  return [degrees, fill](const Tensor& x) {
    check_image(x, "RandomRotation");
    const double angle = uniform(-degrees, degrees) * std::numbers::pi / 180.0;
    // math: counter-clockwise by angle (y down); the output -> input map is [[cos, -sin], [sin, cos]]
    const double c = std::cos(angle), s = std::sin(angle);
    return in_chw(x, [&](const Tensor& img) { return sample_nearest(img, {c, -s, 0.0, s, c, 0.0}, fill); });
  };
}

Transform RandomAffine(double translate_x, double translate_y, double fill) {
  EMBER_CHECK(translate_x >= 0 && translate_x <= 1 && translate_y >= 0 && translate_y <= 1,
              "RandomAffine: translate must be in [0, 1], got (", translate_x, ", ", translate_y, ")");
  return [translate_x, translate_y, fill](const Tensor& x) {
    const ImageSize s = check_image(x, "RandomAffine");
    const double max_dx = translate_x * static_cast<double>(s.width);
    const double max_dy = translate_y * static_cast<double>(s.height);
    const double dx = static_cast<double>(round_half_even(uniform(-max_dx, max_dx)));
    const double dy = static_cast<double>(round_half_even(uniform(-max_dy, max_dy)));
    // math: out[i, j] = x[i - dy, j - dx]
    return in_chw(x, [&](const Tensor& img) { return sample_nearest(img, {1.0, 0.0, -dx, 0.0, 1.0, -dy}, fill); });
  };
}

// Brightness, then contrast (torchvision applies them in a random order).
// Integer images are jittered in float32 on [0, 255] and truncated back, as torchvision.
Transform ColorJitter(double brightness, double contrast) {
  EMBER_CHECK(brightness >= 0 && contrast >= 0, "ColorJitter: brightness and contrast must be non-negative, got ",
              brightness, " and ", contrast);
  return [brightness, contrast](const Tensor& x) {
    check_image(x, "ColorJitter");
    return in_chw(x, [&](const Tensor& chw) {
      EMBER_CHECK(contrast == 0 || chw.dim() == 2 || chw.size(0) == 1 || chw.size(0) == 3,
                  "ColorJitter: contrast needs an image of 1 or 3 channels, got shape ", x.sizes());
      const bool integral = !chw.is_floating_point();
      const double bound = integral ? 255.0 : 1.0;
      Tensor img = integral ? chw.to(kFloat32) : chw;
      if (brightness > 0) {
        const double factor = uniform(std::max(0.0, 1.0 - brightness), 1.0 + brightness);
        img = (img * factor).clamp(0.0, bound);
      }
      if (contrast > 0) {
        const double factor = uniform(std::max(0.0, 1.0 - contrast), 1.0 + contrast);
        img = blend(img, mean_gray(img), factor, bound);
      }
      return integral ? img.to(chw.dtype()) : img;
    });
  };
}

Transform RandomErasing(double p, std::pair<double, double> scale, std::pair<double, double> ratio, double value) {
  check_probability(p, "RandomErasing");
  check_range(scale, 0.0, "RandomErasing", "scale");
  EMBER_CHECK(scale.second <= 1, "RandomErasing: scale must lie in [0, 1], got (", scale.first, ", ", scale.second,
              ")");
  EMBER_CHECK(ratio.first > 0 && ratio.first <= ratio.second,
              "RandomErasing: ratio must be (min, max) with 0 < min <= max, got (", ratio.first, ", ", ratio.second,
              ")");
  return [p, scale, ratio, value](const Tensor& x) -> Tensor {
    const ImageSize s = check_image(x, "RandomErasing");
    if (!coin(p)) return x;
    const std::optional<Box> box = erasing_box(s, scale, ratio);
    if (!box) return x;
    return in_chw(x, [&](const Tensor& img) {
      Tensor out = img.clone();
      if (box->height > 0 && box->width > 0) crop(out, *box).fill_(value);
      return out;
    });
  };
}

Transform Lambda(std::function<Tensor(const Tensor&)> fn) {
  EMBER_CHECK(static_cast<bool>(fn), "Lambda: the function is empty");
  return fn;
}

}  // namespace ember::data::transforms
