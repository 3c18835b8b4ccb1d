// Factories: from data, from existing memory, filled, ranges, and random.
#include <cmath>
#include <limits>

#include "ember/grad_mode.h"
#include "ops/internal.h"

namespace ember {
namespace {

Dtype float_or_default(const TensorOptions& o) { return o.dtype.value_or(default_dtype()); }

void check_sizes(IntArrayRef sizes, const char* op) {
  for (int64_t s : sizes) EMBER_CHECK(s >= 0, op, ": negative size ", s, " in shape ", sizes);
}

void check_float(Dtype dtype, const char* op) {
  EMBER_CHECK(is_floating(dtype) && dtype != Dtype::float16 && dtype != Dtype::bfloat16, op,
              ": expected a float32 or float64 dtype, got ", dtype_name(dtype));
}

Generator& pick(Generator* g) { return g ? *g : default_generator(); }

}  // namespace

namespace detail {
Tensor tensor_from_values(const void* values, Dtype source, IntArrayRef sizes, TensorOptions options) {
  // A floating list without an explicit dtype takes the default float dtype, as torch.tensor.
  const Dtype target = options.dtype.value_or(source == Dtype::float64 ? default_dtype() : source);
  return from_buffer(values, source, sizes, {.dtype = target, .device = options.device});
}
}  // namespace detail

Tensor from_buffer(const void* values, Dtype source, IntArrayRef sizes, TensorOptions options) {
  check_sizes(sizes, "tensor");
  Tensor out = ops::new_tensor(sizes, options.dtype.value_or(source), options.device);
  if (out.numel() == 0) return out;
  Tensor src = from_blob(const_cast<void*>(values), sizes, source);
  ops::copy_backend(out, src, "tensor").copy(out, src, false);
  return out;
}

Tensor scalar_tensor(Scalar value, TensorOptions options) {
  const Dtype dtype = options.dtype.value_or(value.is_floating() ? default_dtype() : value.dtype());
  return ops::scalar_as(value, dtype, options.device);
}

Tensor from_blob(void* data, IntArrayRef sizes, Dtype dtype, std::function<void(void*)> deleter) {
  return from_blob(data, sizes, contiguous_strides(sizes), dtype, std::move(deleter));
}

Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, Dtype dtype, std::function<void(void*)> deleter) {
  check_sizes(sizes, "from_blob");
  EMBER_CHECK(sizes.size() == strides.size(), "from_blob: got ", sizes.size(), " sizes but ", strides.size(),
              " strides");
  EMBER_CHECK(data != nullptr || shape_numel(sizes) == 0, "from_blob: data is null");
  int64_t span = 1;  // elements reachable from data
  for (size_t i = 0; i < sizes.size(); ++i) {
    EMBER_CHECK(strides[i] >= 0, "from_blob: negative stride ", strides[i], " in ", strides);
    if (sizes[i] == 0) span = 0;
    if (span) span += (sizes[i] - 1) * strides[i];
  }
  const size_t nbytes = static_cast<size_t>(span) * element_size(dtype);
  auto storage = IntrusivePtr<Storage>::make(data, nbytes, kCPU, std::move(deleter));
  return Tensor(IntrusivePtr<TensorImpl>::make(std::move(storage), dtype, sizes.shape(), strides.shape(), 0));
}

Tensor empty(IntArrayRef sizes, TensorOptions options) {
  check_sizes(sizes, "empty");
  return ops::new_tensor(sizes, float_or_default(options), options.device);
}

Tensor full(IntArrayRef sizes, Scalar value, TensorOptions options) {
  check_sizes(sizes, "full");
  const Dtype dtype = options.dtype.value_or(value.is_floating() ? default_dtype() : value.dtype());
  Tensor out = ops::new_tensor(sizes, dtype, options.device);
  ops::backend_of(out).fill(out, value);
  return out;
}

Tensor zeros(IntArrayRef sizes, TensorOptions options) {
  return full(sizes, 0, {.dtype = float_or_default(options), .device = options.device});
}
Tensor ones(IntArrayRef sizes, TensorOptions options) {
  return full(sizes, 1, {.dtype = float_or_default(options), .device = options.device});
}

Tensor eye(int64_t n, std::optional<int64_t> m_in, TensorOptions options) {
  const int64_t m = m_in.value_or(n);
  EMBER_CHECK(n >= 0 && m >= 0, "eye: sizes must be non-negative, got n=", n, " m=", m);
  Tensor out = zeros({n, m}, options);
  const int64_t diag = std::min(n, m);
  if (diag > 0) ops::backend_of(out).fill(out.as_strided({diag}, {m + 1}, 0), 1);
  return out;
}

namespace {
TensorOptions like_options(const Tensor& like, const TensorOptions& o) {
  ops::check_defined(like, "*_like");
  return {.dtype = o.dtype.value_or(like.dtype()), .device = like.device()};
}
}  // namespace

Tensor empty_like(const Tensor& like, TensorOptions o) { return empty(like.sizes(), like_options(like, o)); }
Tensor zeros_like(const Tensor& like, TensorOptions o) { return zeros(like.sizes(), like_options(like, o)); }
Tensor ones_like(const Tensor& like, TensorOptions o) { return ones(like.sizes(), like_options(like, o)); }
Tensor full_like(const Tensor& like, Scalar v, TensorOptions o) { return full(like.sizes(), v, like_options(like, o)); }
Tensor rand_like(const Tensor& like, Generator* g) { return rand(like.sizes(), like_options(like, {}), g); }
Tensor randn_like(const Tensor& like, Generator* g) { return randn(like.sizes(), like_options(like, {}), g); }

Tensor arange(Scalar end, TensorOptions options) { return arange(0, end, 1, options); }

Tensor arange(Scalar start, Scalar end, Scalar step, TensorOptions options) {
  const bool all_int = !start.is_floating() && !end.is_floating() && !step.is_floating();
  const Dtype dtype = options.dtype.value_or(all_int ? Dtype::int64 : default_dtype());
  const double s = start.to_double(), e = end.to_double(), st = step.to_double();
  EMBER_CHECK(st != 0, "arange: step must be nonzero");
  EMBER_CHECK(std::isfinite(s) && std::isfinite(e), "arange: start and end must be finite, got ", s, " and ", e);
  EMBER_CHECK((st > 0 && e >= s) || (st < 0 && e <= s), "arange: upper bound and larger bound inconsistent with step sign (start=",
              s, ", end=", e, ", step=", st, ")");
  const int64_t n = all_int ? (end.to_int() - start.to_int() + step.to_int() - (st > 0 ? 1 : -1)) / step.to_int()
                            : static_cast<int64_t>(std::ceil((e - s) / st));
  Tensor out = ops::new_tensor({std::max<int64_t>(n, 0)}, dtype, options.device);
  ops::backend_of(out).range(out, s, st, std::nullopt);
  return out;
}

Tensor linspace(double start, double end, int64_t steps, TensorOptions options) {
  EMBER_CHECK(steps >= 0, "linspace: number of steps must be non-negative, got ", steps);
  Tensor out = ops::new_tensor({steps}, float_or_default(options), options.device);
  const double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
  ops::backend_of(out).range(out, start, step, steps > 1 ? std::optional<double>(end) : std::nullopt);
  return out;
}

Tensor logspace(double start, double end, int64_t steps, double base, TensorOptions options) {
  const Dtype dtype = float_or_default(options);
  Tensor exponent = linspace(start, end, steps, {.dtype = Dtype::float64, .device = options.device});
  return pow(Scalar(base), exponent).to(dtype);
}

Tensor rand(IntArrayRef sizes, TensorOptions options, Generator* g) {
  check_sizes(sizes, "rand");
  const Dtype dtype = float_or_default(options);
  check_float(dtype, "rand");
  Tensor out = ops::new_tensor(sizes, dtype, options.device);
  ops::backend_of(out).random(RandomKind::uniform, out, 0.0, 1.0, pick(g));
  return out;
}

Tensor randn(IntArrayRef sizes, TensorOptions options, Generator* g) { return normal(0.0, 1.0, sizes, options, g); }

Tensor normal(double mean, double std, IntArrayRef sizes, TensorOptions options, Generator* g) {
  check_sizes(sizes, "normal");
  EMBER_CHECK(std >= 0, "normal: expects std >= 0.0, but found std ", std);
  const Dtype dtype = float_or_default(options);
  check_float(dtype, "normal");
  Tensor out = ops::new_tensor(sizes, dtype, options.device);
  ops::backend_of(out).random(RandomKind::normal, out, mean, std, pick(g));
  return out;
}

Tensor randint(int64_t low, int64_t high, IntArrayRef sizes, TensorOptions options, Generator* g) {
  check_sizes(sizes, "randint");
  EMBER_CHECK(low < high, "randint: expects low < high, got low=", low, " high=", high);
  Tensor out = ops::new_tensor(sizes, options.dtype.value_or(Dtype::int64), options.device);
  ops::backend_of(out).random(RandomKind::randint, out, static_cast<double>(low), static_cast<double>(high), pick(g));
  return out;
}

Tensor bernoulli(IntArrayRef sizes, double p, TensorOptions options, Generator* g) {
  check_sizes(sizes, "bernoulli");
  EMBER_CHECK(p >= 0 && p <= 1, "bernoulli: expects 0 <= p <= 1, got ", p);
  Tensor out = ops::new_tensor(sizes, float_or_default(options), options.device);
  ops::backend_of(out).random(RandomKind::bernoulli, out, p, 0.0, pick(g));
  return out;
}

Tensor bernoulli(const Tensor& p, Generator* g) {
  ops::check_defined(p, "bernoulli");
  check_float(p.dtype(), "bernoulli");
  EMBER_CHECK(!ops::has_values(p) || all(ge(p, 0.0).logical_and(le(p, 1.0))).item<bool>(),
              "bernoulli: expects 0 <= p <= 1 for every element");
  Tensor u = rand(p.sizes(), {.dtype = p.dtype(), .device = p.device()}, g);
  return lt(u, p).to(p.dtype());
}

Tensor randperm(int64_t n, TensorOptions options, Generator* g) {
  EMBER_CHECK(n >= 0, "randperm: n must be non-negative, got ", n);
  Tensor out = ops::new_tensor({n}, Dtype::int64, options.device);
  ops::backend_of(out).randperm(out, pick(g));
  return options.dtype ? out.to(*options.dtype) : out;
}

Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement, Generator* g) {
  ops::check_defined(probs, "multinomial");
  check_float(probs.dtype(), "multinomial");
  EMBER_CHECK(probs.dim() == 1 || probs.dim() == 2, "multinomial: expected a 1-D or 2-D tensor of weights, got shape ",
              probs.sizes());
  const int64_t K = probs.size(-1);
  EMBER_CHECK(num_samples > 0, "multinomial: num_samples must be positive, got ", num_samples);
  NoGradGuard no_grad;
  const Tensor p = (probs.dim() == 1 ? probs.unsqueeze(0) : probs).to(Dtype::float64);
  const bool checkable = ops::has_values(p);
  EMBER_CHECK(!checkable || all(ge(p, 0.0).logical_and(lt(p, std::numeric_limits<double>::infinity()))).item<bool>(),
              "multinomial: weights must be finite and non-negative");
  EMBER_CHECK(K > 0 && (!checkable || all(gt(p.sum({1}), 0.0)).item<bool>()),
              "multinomial: every row of weights of shape ", probs.sizes(), " must have a positive sum");
  Tensor out;
  if (replacement) {
    // Inverse CDF: the category is the number of cumulative weights at or below u.
    const Tensor cdf = cumsum(p / p.sum({1}, true), 1);
    const Tensor u = rand({p.size(0), num_samples}, {.dtype = Dtype::float64, .device = p.device()}, g);
    out = clamp(le(cdf.unsqueeze(1), u.unsqueeze(2)).sum({2}), std::nullopt, static_cast<double>(K - 1));
  } else {
    const int64_t fewest = checkable ? gt(p, 0.0).sum({1}).min().item<int64_t>() : K;
    EMBER_CHECK(num_samples <= fewest, "multinomial: cannot draw ", num_samples, " distinct categories without ",
                "replacement from a row with ", fewest, " non-zero weights");
    // Gumbel top-k: the largest log-weight + Gumbel noise, k at a time, is a draw without replacement.
    const Tensor gumbel = neg(log(neg(log(rand(p.sizes(), {.dtype = Dtype::float64, .device = p.device()}, g)))));
    out = topk(log(p) + gumbel, num_samples, 1).second;
  }
  return probs.dim() == 1 ? out.squeeze(0) : out;
}

Tensor& uniform_(Tensor& t, double from, double to, Generator* g) {
  ops::check_defined(t, "uniform_");
  check_float(t.dtype(), "uniform_");
  EMBER_CHECK(from <= to, "uniform_: expects from <= to, got from=", from, " to=", to);
  Tensor fresh = ops::new_tensor(t.sizes(), t.dtype(), t.device());
  ops::backend_of(t).random(RandomKind::uniform, fresh, from, to, pick(g));
  return t.copy_(fresh);
}

Tensor& normal_(Tensor& t, double mean, double std, Generator* g) {
  ops::check_defined(t, "normal_");
  return t.copy_(normal(mean, std, t.sizes(), {.dtype = t.dtype(), .device = t.device()}, g));
}

}  // namespace ember
