// L-BFGS with an optional strong-Wolfe line search, following PyTorch's
// implementation step for step (its arithmetic in double on the host, the
// vectors as flat tensors): the two-loop recursion for the direction, the
// first step scaled to 1 / |g|_1, and Nocedal & Wright's bracketing and zoom
// with cubic interpolation.
#include <algorithm>
#include <cmath>
#include <deque>

#include "ember/creation.h"
#include "ember/grad_mode.h"
#include "ember/ops.h"
#include "ember/optim/optimizers.h"

namespace ember::optim {
namespace {

double dot_of(const Tensor& a, const Tensor& b) { return dot(a, b).item<double>(); }
double max_abs(const Tensor& t) { return t.abs().max().item<double>(); }

// All parameters' gradients as one vector (zeros for a parameter without one).
Tensor flat_grad_of(const std::vector<Tensor>& params) {
  std::vector<Tensor> parts;
  for (const Tensor& p : params)
    parts.push_back(p.grad().defined() ? p.grad().reshape({-1}) : zeros({p.numel()}, p.options()));
  return cat(parts);
}

// p += step * (p's slice of the flat vector d), for every parameter.
void add_to_params(const std::vector<Tensor>& params, double step, const Tensor& d) {
  int64_t offset = 0;
  for (Tensor p : params) {
    p.add_(d.narrow(0, offset, p.numel()).view(p.sizes()), step);
    offset += p.numel();
  }
}

// The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2,
// clamped to the bounds (default: between x1 and x2); their midpoint when the
// cubic has no minimum.
double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2,
                         std::optional<std::pair<double, double>> bounds = {}) {
  const auto [lo, hi] = bounds ? *bounds : (x1 <= x2 ? std::pair{x1, x2} : std::pair{x2, x1});
  const double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  const double d2_square = d1 * d1 - g1 * g2;
  if (d2_square < 0) return (lo + hi) / 2.;
  const double d2 = std::sqrt(d2_square);
  const double min_pos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                                  : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return std::min(std::max(min_pos, lo), hi);
}

struct LineSearch {
  double loss;
  Tensor grad;
  double t;
  int64_t evaluations;
};

// A step t along d satisfying the strong Wolfe conditions (sufficient decrease
// c1, curvature c2): bracketing, then zooming into the bracket.
template <class Evaluate>
LineSearch strong_wolfe(const Evaluate& evaluate_at, double t, const Tensor& d, double f, const Tensor& g, double gtd,
                        double c1 = 1e-4, double c2 = 0.9, double tolerance_change = 1e-9, int64_t max_ls = 25) {
  const double d_norm = max_abs(d);
  auto [f_new, g_new] = evaluate_at(t);
  int64_t evaluations = 1;
  double gtd_new = dot_of(g_new, d);
  double t_prev = 0, f_prev = f, gtd_prev = gtd;
  Tensor g_prev = g.clone();
  bool done = false;
  int64_t ls_iter = 0;
  std::vector<double> bracket, bracket_f, bracket_gtd;
  std::vector<Tensor> bracket_g;
  while (ls_iter < max_ls) {
    const auto bracket_previous_and_this = [&] {
      bracket = {t_prev, t}, bracket_f = {f_prev, f_new}, bracket_g = {g_prev, g_new.clone()};
      bracket_gtd = {gtd_prev, gtd_new};
    };
    if (f_new > f + c1 * t * gtd || (ls_iter > 1 && f_new >= f_prev)) {  // too far: no sufficient decrease
      bracket_previous_and_this();
      break;
    }
    if (std::abs(gtd_new) <= -c2 * gtd) {  // both conditions hold
      bracket = {t}, bracket_f = {f_new}, bracket_g = {g_new};
      done = true;
      break;
    }
    if (gtd_new >= 0) {  // past a minimum
      bracket_previous_and_this();
      break;
    }
    // Extrapolate: between 1.01 t and 10 t.
    const double min_step = t + 0.01 * (t - t_prev), max_step = t * 10, previous = t;
    t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, std::pair{min_step, max_step});
    t_prev = previous, f_prev = f_new, g_prev = g_new.clone(), gtd_prev = gtd_new;
    std::tie(f_new, g_new) = evaluate_at(t);
    ++evaluations;
    gtd_new = dot_of(g_new, d);
    ++ls_iter;
  }
  if (ls_iter == max_ls) bracket = {0, t}, bracket_f = {f, f_new}, bracket_g = {g, g_new};

  // Zoom: shrink the bracket until a point meets the conditions.
  bool insufficient_progress = false;
  size_t low = bracket_f.front() <= bracket_f.back() ? 0 : 1, high = 1 - low;
  while (!done && ls_iter < max_ls) {
    if (std::abs(bracket[1] - bracket[0]) * d_norm < tolerance_change) break;
    t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]);
    // Keep t at least 10% of the bracket away from its ends.
    const double top = std::max(bracket[0], bracket[1]), bottom = std::min(bracket[0], bracket[1]);
    const double eps = 0.1 * (top - bottom);
    if (std::min(top - t, t - bottom) < eps) {
      if (insufficient_progress || t >= top || t <= bottom) {
        t = std::abs(t - top) < std::abs(t - bottom) ? top - eps : bottom + eps;
        insufficient_progress = false;
      } else {
        insufficient_progress = true;
      }
    } else {
      insufficient_progress = false;
    }
    std::tie(f_new, g_new) = evaluate_at(t);
    ++evaluations;
    gtd_new = dot_of(g_new, d);
    ++ls_iter;
    if (f_new > f + c1 * t * gtd || f_new >= bracket_f[low]) {
      bracket[high] = t, bracket_f[high] = f_new, bracket_g[high] = g_new.clone(), bracket_gtd[high] = gtd_new;
      low = bracket_f[0] <= bracket_f[1] ? 0 : 1, high = 1 - low;
    } else {
      if (std::abs(gtd_new) <= -c2 * gtd) {
        done = true;
      } else if (gtd_new * (bracket[high] - bracket[low]) >= 0) {
        bracket[high] = bracket[low], bracket_f[high] = bracket_f[low], bracket_g[high] = bracket_g[low];
        bracket_gtd[high] = bracket_gtd[low];
      }
      bracket[low] = t, bracket_f[low] = f_new, bracket_g[low] = g_new.clone(), bracket_gtd[low] = gtd_new;
    }
  }
  return {bracket_f[low], bracket_g[low], bracket[low], evaluations};
}

// The optimizer's state between steps, as flat vectors.
struct History {
  Tensor d, prev_flat_grad;
  std::deque<Tensor> old_dirs, old_stps;
  std::deque<double> ro;
  double t = 0, h_diag = 1, prev_loss = 0;
};

}  // namespace

LBFGS::LBFGS(std::vector<Tensor> params, LBFGSOptions o)
    : Optimizer("LBFGS", {{"lr", o.lr},
                          {"max_iter", static_cast<double>(o.max_iter)},
                          {"max_eval", static_cast<double>(o.max_eval.value_or(o.max_iter * 5 / 4))},
                          {"tolerance_grad", o.tolerance_grad},
                          {"tolerance_change", o.tolerance_change},
                          {"history_size", static_cast<double>(o.history_size)},
                          {"strong_wolfe", o.line_search_fn == "strong_wolfe" ? 1.0 : 0.0}}) {
  EMBER_CHECK(o.line_search_fn.empty() || o.line_search_fn == "strong_wolfe",
              "LBFGS: line_search_fn must be empty or 'strong_wolfe', got '", o.line_search_fn, "'");
  add_initial_group(std::move(params));
}

void LBFGS::check_options(const std::map<std::string, double>& o) const {
  EMBER_CHECK(o.at("lr") > 0, "LBFGS: invalid learning rate: ", o.at("lr"));
  EMBER_CHECK(o.at("max_iter") >= 1 && o.at("max_eval") >= 1, "LBFGS: max_iter and max_eval must be positive, got ",
              o.at("max_iter"), " and ", o.at("max_eval"));
  EMBER_CHECK(o.at("history_size") >= 1, "LBFGS: history_size must be positive, got ", o.at("history_size"));
}

void LBFGS::step() {
  detail::fail("LBFGS: step() needs a closure that zeroes the gradients, computes the loss, calls backward() and "
               "returns the loss: step(closure)");
}

Tensor LBFGS::step(const std::function<Tensor()>& closure) {
  EMBER_CHECK(param_groups().size() == 1, "LBFGS: doesn't support per-parameter options (parameter groups), got ",
              param_groups().size(), " groups");
  const ParamGroup& group = param_groups()[0];
  const std::vector<Tensor>& params = group.params;
  EMBER_CHECK(!params.empty(), "LBFGS: has no parameters");
  const double lr = group.lr(), tolerance_grad = group.get("tolerance_grad"),
               tolerance_change = group.get("tolerance_change");
  const auto max_iter = static_cast<int64_t>(group.get("max_iter")), max_eval = static_cast<int64_t>(group.get("max_eval"));
  const auto history_size = static_cast<size_t>(group.get("history_size"));
  const bool line_search = group.get("strong_wolfe") != 0;
  NoGradGuard no_grad;
  const auto evaluate = [&] {
    EnableGradGuard grad;
    return closure();
  };
  ParamState& state = state_of(params[0]);  // the counters and scalars live with the first parameter
  double& func_evals = state.scalars["func_evals"];
  double& total_iters = state.scalars["n_iter"];

  const Tensor orig_loss = evaluate();
  double loss = orig_loss.item<double>();
  int64_t current_evals = 1;
  func_evals += 1;
  Tensor flat_grad = flat_grad_of(params);
  bool optimal = max_abs(flat_grad) <= tolerance_grad;
  if (optimal) return orig_loss;

  // The state, from each parameter's slices (where state_dict keeps it).
  History h;
  const auto flat_buffer = [&](const std::string& name) {
    std::vector<Tensor> parts;
    for (const Tensor& p : params) {
      auto it = state_of(p).buffers.find(name);
      if (it == state_of(p).buffers.end()) return Tensor();
      parts.push_back(it->second.reshape({-1}));
    }
    return cat(parts);
  };
  if (total_iters > 0) {
    h.d = flat_buffer("d"), h.prev_flat_grad = flat_buffer("prev_flat_grad");
    h.t = state.scalars["t"], h.h_diag = state.scalars["H_diag"], h.prev_loss = state.scalars["prev_loss"];
    const auto entries = static_cast<size_t>(state.scalars["history"]);
    for (size_t k = 0; k < entries; ++k) {
      h.old_dirs.push_back(flat_buffer("old_dirs." + std::to_string(k)));
      h.old_stps.push_back(flat_buffer("old_stps." + std::to_string(k)));
      h.ro.push_back(state.scalars["ro." + std::to_string(k)]);
    }
  }

  int64_t n_iter = 0;
  while (n_iter < max_iter) {
    ++n_iter;
    total_iters += 1;
    if (total_iters == 1) {
      h.d = -flat_grad;
      h.old_dirs.clear(), h.old_stps.clear(), h.ro.clear();
      h.h_diag = 1;
    } else {
      // Update the curvature pairs (skipped when y s is not positive enough).
      const Tensor y = flat_grad - h.prev_flat_grad;
      const Tensor s = h.d * h.t;
      const double ys = dot_of(y, s);
      if (ys > 1e-10) {
        if (h.old_dirs.size() == history_size) h.old_dirs.pop_front(), h.old_stps.pop_front(), h.ro.pop_front();
        h.old_dirs.push_back(y), h.old_stps.push_back(s), h.ro.push_back(1. / ys);
        h.h_diag = ys / dot_of(y, y);
      }
      // The two-loop recursion: d = -H g.
      const size_t count = h.old_dirs.size();
      std::vector<double> al(count);
      Tensor q = -flat_grad;
      for (size_t i = count; i-- > 0;) {
        al[i] = dot_of(h.old_stps[i], q) * h.ro[i];
        q.add_(h.old_dirs[i], -al[i]);
      }
      h.d = q * h.h_diag;
      for (size_t i = 0; i < count; ++i) {
        const double be_i = dot_of(h.old_dirs[i], h.d) * h.ro[i];
        h.d.add_(h.old_stps[i], al[i] - be_i);
      }
    }
    h.prev_flat_grad = flat_grad.clone();
    h.prev_loss = loss;
    h.t = total_iters == 1 ? std::min(1., 1. / flat_grad.abs().sum().item<double>()) * lr : lr;
    const double gtd = dot_of(flat_grad, h.d);
    if (gtd > -tolerance_change) break;  // not a descent direction

    int64_t ls_evals = 0;
    if (line_search) {
      std::vector<Tensor> x_init;
      for (const Tensor& p : params) x_init.push_back(p.clone());
      const auto evaluate_at = [&](double step) {
        add_to_params(params, step, h.d);
        const double f = evaluate().item<double>();
        Tensor g = flat_grad_of(params);
        for (size_t i = 0; i < params.size(); ++i) Tensor(params[i]).copy_(x_init[i]);
        return std::pair{f, g};
      };
      const LineSearch found = strong_wolfe(evaluate_at, h.t, h.d, loss, flat_grad, gtd);
      loss = found.loss, flat_grad = found.grad, h.t = found.t, ls_evals = found.evaluations;
      add_to_params(params, h.t, h.d);
      optimal = max_abs(flat_grad) <= tolerance_grad;
    } else {
      add_to_params(params, h.t, h.d);
      if (n_iter != max_iter) {
        loss = evaluate().item<double>();
        flat_grad = flat_grad_of(params);
        optimal = max_abs(flat_grad) <= tolerance_grad;
        ls_evals = 1;
      }
    }
    current_evals += ls_evals;
    func_evals += static_cast<double>(ls_evals);
    if (n_iter == max_iter || current_evals >= max_eval || optimal) break;
    if (max_abs(h.d * h.t) <= tolerance_change || std::abs(loss - h.prev_loss) < tolerance_change) break;
  }

  // Back into each parameter's state, as slices of the flat vectors.
  int64_t offset = 0;
  for (const Tensor& p : params) {
    ParamState& ps = state_of(p);
    ps.step = static_cast<int64_t>(total_iters);
    ps.buffers.clear();
    const auto slice = [&](const Tensor& flat) { return flat.narrow(0, offset, p.numel()).view(p.sizes()); };
    ps.buffers["d"] = slice(h.d);
    ps.buffers["prev_flat_grad"] = slice(h.prev_flat_grad);
    for (size_t k = 0; k < h.old_dirs.size(); ++k) {
      ps.buffers["old_dirs." + std::to_string(k)] = slice(h.old_dirs[k]);
      ps.buffers["old_stps." + std::to_string(k)] = slice(h.old_stps[k]);
    }
    offset += p.numel();
  }
  for (auto it = state.scalars.begin(); it != state.scalars.end();)
    it = it->first.rfind("ro.", 0) == 0 ? state.scalars.erase(it) : std::next(it);
  for (size_t k = 0; k < h.ro.size(); ++k) state.scalars["ro." + std::to_string(k)] = h.ro[k];
  state.scalars["history"] = static_cast<double>(h.old_dirs.size());
  state.scalars["t"] = h.t, state.scalars["H_diag"] = h.h_diag, state.scalars["prev_loss"] = h.prev_loss;
  return orig_loss;
}

}  // namespace ember::optim
