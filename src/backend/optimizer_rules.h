// The per-element update of each fused optimizer, written once for every
// backend: a rule holds the step's scalars (computed on the host by the
// optimizer) and updates element i of the parameter p from its gradient g and
// up to three state buffers s0..s2 (null where an option leaves one unused).
// The expressions follow PyTorch's single-tensor implementations term by term,
// so trajectories match to the last bit where PyTorch's do.
#pragma once

#include <cmath>
#include <cstdint>
#include <variant>

#include "backend/host_device.h"

namespace ember {

// The first and second moments every Adam-family rule keeps:
// m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
template <class T>
EMBER_HD void update_moments(T grad, T& m, T& v, double beta1, double beta2) {
  m = m * T(beta1) + T(1 - beta1) * grad;
  v = v * T(beta2) + T(1 - beta2) * grad * grad;
}

// s0: momentum_buffer.  d = g (+ wd p); b = d (first step) or m b + (1 - dampening) d;
// d = d + m b (Nesterov) or b; p -= lr d
struct SgdRule {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, maximize, first;
  template <class T>
  EMBER_HD void operator()(int64_t i, T* p, const T* g, T* s0, T*, T*) const {
    T d = maximize ? -g[i] : g[i];
    if (weight_decay != 0) d = d + T(weight_decay) * p[i];
    if (momentum != 0) {
      s0[i] = first ? d : s0[i] * T(momentum) + T(1 - dampening) * d;
      d = nesterov ? d + T(momentum) * s0[i] : s0[i];
    }
    p[i] = p[i] + T(-lr) * d;
  }
};

// s0: exp_avg, s1: exp_avg_sq, s2: max_exp_avg_sq (amsgrad).
// g (+ wd p, Adam); p *= 1 - lr wd (AdamW); m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
// p -= step_size * m / (sqrt(max(vmax, v) or v) / sqrt(1 - b2^t) + eps)
struct AdamRule {
  double lr, beta1, beta2, eps, weight_decay, step_size, bias_correction2_sqrt;
  bool decoupled, amsgrad, maximize;
  // The update with the flags read from `f`: the rule itself, or AdamFlags, whose
  // compile-time flags let a CPU loop drop the branches and vectorize.
  template <class Flags, class T>
  EMBER_HD void update(const Flags& f, int64_t i, T* p, const T* g, T* s0, T* s1, T* s2) const {
    T grad = f.maximize ? -g[i] : g[i];
    if (f.decoupled) p[i] = p[i] * T(1 - lr * weight_decay);
    else grad = grad + T(weight_decay) * p[i];
    update_moments(grad, s0[i], s1[i], beta1, beta2);
    T second = s1[i];
    if (f.amsgrad) second = s2[i] = s2[i] > s1[i] ? s2[i] : s1[i];
    p[i] = p[i] + T(-step_size) * s0[i] / (std::sqrt(second) / T(bias_correction2_sqrt) + T(eps));
  }
  template <class T>
  EMBER_HD void operator()(int64_t i, T* p, const T* g, T* s0, T* s1, T* s2) const {
    update(*this, i, p, g, s0, s1, s2);
  }
};
template <bool Decoupled, bool Amsgrad, bool Maximize>
struct AdamFlags {
  static constexpr bool decoupled = Decoupled, amsgrad = Amsgrad, maximize = Maximize;
};

// s0: exp_avg, s1: exp_avg_sq. m, v as Adam; denom = sqrt(v / (1 - b2^t)) + eps;
// p += grad_coef * g / denom + avg_coef * m / denom
struct NAdamRule {
  double beta1, beta2, eps, weight_decay, bias_correction2, grad_coef, avg_coef;
  template <class T>
  EMBER_HD void operator()(int64_t i, T* p, const T* g, T* s0, T* s1, T*) const {
    T grad = g[i];
    if (weight_decay != 0) grad = grad + T(weight_decay) * p[i];
    update_moments(grad, s0[i], s1[i], beta1, beta2);
    const T denom = std::sqrt(s1[i] / T(bias_correction2)) + T(eps);
    p[i] = p[i] + T(grad_coef) * grad / denom;
    p[i] = p[i] + T(avg_coef) * s0[i] / denom;
  }
};

// s0: exp_avg, s1: exp_avg_sq. m, v as Adam; rectified: p -= lr m / (1 - b1^t) * r sqrt(1 - b2^t) / (sqrt(v) + eps),
// otherwise p -= lr m / (1 - b1^t)
struct RAdamRule {
  double lr, beta1, beta2, eps, weight_decay, bias_correction1, bias_correction2, rectification;
  bool rectify;
  template <class T>
  EMBER_HD void operator()(int64_t i, T* p, const T* g, T* s0, T* s1, T*) const {
    T grad = g[i];
    if (weight_decay != 0) grad = grad + T(weight_decay) * p[i];
    update_moments(grad, s0[i], s1[i], beta1, beta2);
    const T corrected = s0[i] / T(bias_correction1);
    if (rectify) {
      const T adaptive = T(std::sqrt(bias_correction2)) / (std::sqrt(s1[i]) + T(eps));
      p[i] = p[i] - corrected * T(lr) * adaptive * T(rectification);
    } else {
      p[i] = p[i] - corrected * T(lr);
    }
  }
};

// s0: square_avg, s1: grad_avg (centered), s2: momentum_buffer (momentum > 0).
// v = a v + (1 - a) g^2; centered: mg = a mg + (1 - a) g, avg = sqrt(v - mg^2) + eps, else sqrt(v) + eps;
// momentum: b = m b + g / avg, p -= lr b; otherwise p -= lr g / avg
struct RmspropRule {
  double lr, alpha, eps, weight_decay, momentum;
  bool centered, maximize;
  template <class T>
  EMBER_HD void operator()(int64_t i, T* p, const T* g, T* s0, T* s1, T* s2) const {
    T grad = maximize ? -g[i] : g[i];
    if (weight_decay != 0) grad = grad + T(weight_decay) * p[i];
    s0[i] = s0[i] * T(alpha) + T(1 - alpha) * grad * grad;
    T avg;
    if (centered) {
      s1[i] = s1[i] * T(alpha) + T(1 - alpha) * grad;
      avg = std::sqrt(s0[i] + T(-1) * s1[i] * s1[i]) + T(eps);
    } else {
      avg = std::sqrt(s0[i]) + T(eps);
    }
    if (momentum > 0) {
      s2[i] = s2[i] * T(momentum) + grad / avg;
      p[i] = p[i] + T(-lr) * s2[i];
    } else {
      p[i] = p[i] + T(-lr) * grad / avg;
    }
  }
};

// s0: sum. sum += g^2; p -= clr g / (sqrt(sum) + eps), clr = lr / (1 + (t - 1) lr_decay)
struct AdagradRule {
  double clr, weight_decay, eps;
  bool maximize;
  template <class T>
  EMBER_HD void operator()(int64_t i, T* p, const T* g, T* s0, T*, T*) const {
    T grad = maximize ? -g[i] : g[i];
    if (weight_decay != 0) grad = grad + T(weight_decay) * p[i];
    s0[i] = s0[i] + T(1) * grad * grad;
    p[i] = p[i] + T(-clr) * grad / (std::sqrt(s0[i]) + T(eps));
  }
};

// s0: square_avg, s1: acc_delta. v = r v + (1 - r) g^2; d = sqrt(u + eps) / sqrt(v + eps) * g;
// u = r u + (1 - r) d^2; p -= lr d
struct AdadeltaRule {
  double lr, rho, eps, weight_decay;
  bool maximize;
  template <class T>
  EMBER_HD void operator()(int64_t i, T* p, const T* g, T* s0, T* s1, T*) const {
    T grad = maximize ? -g[i] : g[i];
    if (weight_decay != 0) grad = grad + T(weight_decay) * p[i];
    s0[i] = s0[i] * T(rho) + T(1 - rho) * grad * grad;
    const T std_v = std::sqrt(s0[i] + T(eps));
    const T delta = std::sqrt(s1[i] + T(eps)) / std_v * grad;
    s1[i] = s1[i] * T(rho) + T(1 - rho) * delta * delta;
    p[i] = p[i] + T(-lr) * delta;
  }
};

// s0: prev (the last gradient used), s1: step_size. The sign of g prev picks
// the step size's factor (etaplus, etaminus, or 1 at zero); clamped to
// [step_size_min, step_size_max]; after a sign change the gradient counts as 0
// (no move, and no change of the factor next time); p -= sign(g) step_size.
struct RpropRule {
  double etaminus, etaplus, step_size_min, step_size_max;
  bool maximize;
  template <class T>
  EMBER_HD void operator()(int64_t i, T* p, const T* g, T* s0, T* s1, T*) const {
    T grad = maximize ? -g[i] : g[i];
    const T agreement = grad * s0[i];
    const T factor = agreement > T(0) ? T(etaplus) : agreement < T(0) ? T(etaminus) : T(1);
    T size = s1[i] * factor;
    size = size < T(step_size_min) ? T(step_size_min) : size;
    size = size > T(step_size_max) ? T(step_size_max) : size;
    s1[i] = size;
    if (factor == T(etaminus)) grad = T(0);
    const T direction = grad > T(0) ? T(1) : grad < T(0) ? T(-1) : T(0);
    p[i] = p[i] + T(-1) * direction * size;
    s0[i] = grad;
  }
};

// s0: ax (the running average of the iterates). g (+ wd p); p = p (1 - lambd eta) - eta g;
// ax = ax + (p - ax) mu, or p while mu = 1 (before t0).
struct AsgdRule {
  double eta, decay, weight_decay, mu;
  bool maximize;
  template <class T>
  EMBER_HD void operator()(int64_t i, T* p, const T* g, T* s0, T*, T*) const {
    T grad = maximize ? -g[i] : g[i];
    if (weight_decay != 0) grad = grad + T(weight_decay) * p[i];
    p[i] = p[i] * T(decay);
    p[i] = p[i] + T(-eta) * grad;
    s0[i] = mu != 1 ? s0[i] + (p[i] - s0[i]) * T(mu) : p[i];
  }
};

using OptimizerRule = std::variant<SgdRule, AdamRule, NAdamRule, RAdamRule, RmspropRule, AdagradRule, AdadeltaRule,
                                   RpropRule, AsgdRule>;

}  // namespace ember
