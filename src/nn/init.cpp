// Weight initializers. All write in place under NoGradGuard (parameters are
// leaves that require grad) and use the given or the global generator.
#include "ember/nn/init.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "ember/creation.h"
#include "ember/grad_mode.h"
#include "ember/ops.h"

namespace ember::nn::init {
namespace {

void check(const Tensor& t, const char* op) {
  EMBER_CHECK(t.defined(), op, ": tensor is undefined");
  EMBER_CHECK(t.is_floating_point(), op, ": expected a floating-point tensor, got ", dtype_name(t.dtype()));
}

int64_t fan(const Tensor& t, FanMode mode) {
  const auto [in, out] = calculate_fan_in_and_fan_out(t);
  return mode == FanMode::fan_in ? in : out;
}

}  // namespace

double calculate_gain(const std::string& n, double param) {
  if (n == "linear" || n == "identity" || n == "sigmoid" || n.rfind("conv", 0) == 0) return 1.0;
  if (n == "tanh") return 5.0 / 3.0;
  if (n == "relu") return std::sqrt(2.0);
  if (n == "leaky_relu") return std::sqrt(2.0 / (1 + param * param));
  if (n == "selu") return 3.0 / 4.0;
  detail::fail("calculate_gain: unsupported nonlinearity '", n, "'");
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t) {
  EMBER_CHECK(t.dim() >= 2, "calculate_fan_in_and_fan_out: fan in and fan out need a tensor of at least 2 dims, got ",
              t.sizes());
  const int64_t receptive = t.numel() / std::max<int64_t>(t.size(0) * t.size(1), 1);
  return {t.size(1) * receptive, t.size(0) * receptive};
}

Tensor& uniform_(Tensor& t, double a, double b, Generator* g) {
  check(t, "uniform_");
  NoGradGuard no_grad;
  return ember::uniform_(t, a, b, g);
}

Tensor& normal_(Tensor& t, double mean, double std, Generator* g) {
  check(t, "normal_");
  NoGradGuard no_grad;
  return ember::normal_(t, mean, std, g);
}

Tensor& constant_(Tensor& t, double value) {
  check(t, "constant_");
  NoGradGuard no_grad;
  t.fill_(value);
  return t;
}

Tensor& zeros_(Tensor& t) { return constant_(t, 0.0); }
Tensor& ones_(Tensor& t) { return constant_(t, 1.0); }

Tensor& eye_(Tensor& t) {
  check(t, "eye_");
  EMBER_CHECK(t.dim() == 2, "eye_: only 2-D tensors are supported, got shape ", t.sizes());
  NoGradGuard no_grad;
  t.copy_(eye(t.size(0), t.size(1), t.options()));
  return t;
}

Tensor& dirac_(Tensor& t, int64_t groups) {
  check(t, "dirac_");
  EMBER_CHECK(t.dim() >= 3 && t.dim() <= 5, "dirac_: only 3-, 4- and 5-D tensors are supported, got shape ", t.sizes());
  EMBER_CHECK(groups > 0 && t.size(0) % groups == 0, "dirac_: dim 0 (", t.size(0), ") must be divisible by groups (",
              groups, ")");
  NoGradGuard no_grad;
  t.zero_();
  const int64_t out_per_group = t.size(0) / groups;
  const int64_t n = std::min(out_per_group, t.size(1));
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t d = 0; d < n; ++d) {
      Tensor at = t.select(0, g * out_per_group + d).select(0, d);
      for (int64_t k = 2; k < t.dim(); ++k) at = at.select(0, t.size(k) / 2);
      at.fill_(1.0);
    }
  return t;
}

// U(-a, a) with a = gain sqrt(6 / (fan_in + fan_out))
Tensor& xavier_uniform_(Tensor& t, double gain, Generator* g) {
  check(t, "xavier_uniform_");
  const auto [in, out] = calculate_fan_in_and_fan_out(t);
  const double bound = gain * std::sqrt(6.0 / static_cast<double>(in + out));
  return init::uniform_(t, -bound, bound, g);
}

// N(0, std^2) with std = gain sqrt(2 / (fan_in + fan_out))
Tensor& xavier_normal_(Tensor& t, double gain, Generator* g) {
  check(t, "xavier_normal_");
  const auto [in, out] = calculate_fan_in_and_fan_out(t);
  return init::normal_(t, 0.0, gain * std::sqrt(2.0 / static_cast<double>(in + out)), g);
}

// U(-b, b) with b = gain sqrt(3 / fan)
Tensor& kaiming_uniform_(Tensor& t, double a, FanMode mode, const std::string& nonlinearity, Generator* g) {
  check(t, "kaiming_uniform_");
  const double bound = calculate_gain(nonlinearity, a) * std::sqrt(3.0 / static_cast<double>(fan(t, mode)));
  return init::uniform_(t, -bound, bound, g);
}

// N(0, std^2) with std = gain / sqrt(fan)
Tensor& kaiming_normal_(Tensor& t, double a, FanMode mode, const std::string& nonlinearity, Generator* g) {
  check(t, "kaiming_normal_");
  return init::normal_(t, 0.0, calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan(t, mode))), g);
}

// Q of the QR factorization of a normal (rows x cols) draw, with R's diagonal
// made positive (so Q is unique, as PyTorch's sign correction does). Q is
// built by modified Gram-Schmidt in float64 on the tall orientation; it is an
// initializer on small matrices, not a hot path.
Tensor& orthogonal_(Tensor& t, double gain, Generator* g) {
  check(t, "orthogonal_");
  EMBER_CHECK(t.dim() >= 2, "orthogonal_: only tensors with 2 or more dims are supported, got shape ", t.sizes());
  NoGradGuard no_grad;
  const int64_t rows = t.size(0), cols = t.numel() / std::max<int64_t>(rows, 1);
  if (t.numel() == 0 || t.is_meta()) return t;  // a meta tensor has no values to set
  const bool wide = rows < cols;
  // Built on the CPU (a small matrix), then copied to t's device.
  Tensor a = randn({rows, cols}, {.dtype = Dtype::float64, .device = kCPU}, g);
  if (wide) a = a.t().contiguous();  // (tall, short): orthonormal columns
  const int64_t n = a.size(1);
  std::vector<Tensor> q;
  for (int64_t j = 0; j < n; ++j) {
    Tensor v = a.select(1, j).clone();
    for (const Tensor& u : q) v = v - u * dot(u, v);
    q.push_back(v / norm(v));
  }
  Tensor result = stack(q, 1);
  if (wide) result = result.t();
  t.copy_((result * gain).reshape(t.sizes()));
  return t;
}

// Inverse CDF: u ~ U(Phi(a'), Phi(b')), x = mean + std sqrt(2) erfinv(2u - 1),
// with erfinv computed by Newton steps on erf (a few are exact to double).
namespace {

// erf^-1(u) for u in (-1, 1): a single-precision rational start (M. Giles,
// "Approximating the erfinv function", 2010) polished by two Newton steps in
// double, which brings it to full double accuracy.
double erfinv(double u) {
  const double w = -std::log((1.0 - u) * (1.0 + u));
  double p;
  if (w < 5.0) {
    const double x = w - 2.5;
    p = 2.81022636e-08;
    for (double c : {3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164,
                     0.246640727, 1.50140941})
      p = p * x + c;
  } else {
    const double x = std::sqrt(w) - 3.0;
    p = -0.000200214257;
    for (double c : {0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
                     1.00167406, 2.83297682})
      p = p * x + c;
  }
  double z = p * u;
  for (int i = 0; i < 2; ++i) z -= (std::erf(z) - u) / (1.1283791670955126 * std::exp(-z * z));
  return z;
}

}  // namespace

Tensor& trunc_normal_(Tensor& t, double mean, double std, double a, double b, Generator* g) {
  check(t, "trunc_normal_");
  EMBER_CHECK(a < b, "trunc_normal_: a (", a, ") must be less than b (", b, ")");
  NoGradGuard no_grad;
  // Inverse-CDF sampling: u uniform between the CDF values of a and b, mapped back through erf^-1.
  auto cdf = [](double x) { return 0.5 * (1 + std::erf(x / std::sqrt(2.0))); };
  const double lo = cdf((a - mean) / std), hi = cdf((b - mean) / std);
  if (t.is_meta()) return t;  // no values to set
  // Drawn and mapped on the CPU, then copied to t's device.
  Tensor u = rand(t.sizes(), {.dtype = Dtype::float64, .device = kCPU}, g);
  double* v = u.data_ptr<double>();
  for (int64_t i = 0; i < u.numel(); ++i) {
    const double x = std::clamp((2 * hi - 2 * lo) * v[i] + (2 * lo - 1), -1 + 1e-15, 1 - 1e-15);
    v[i] = std::clamp(erfinv(x) * (std * std::sqrt(2.0)) + mean, a, b);
  }
  t.copy_(u);
  return t;
}

}  // namespace ember::nn::init
