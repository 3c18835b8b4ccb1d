// The optimizer base: parameter groups, zero_grad, closures, and state dicts
// (tensors plus scalars, loaded all-or-nothing).
#include "ember/optim/optimizer.h"

#include <set>
#include <sstream>

#include "ember/grad_mode.h"

namespace ember::optim {
namespace {

std::string number(double v) {
  std::ostringstream out;
  out.precision(17);
  out << v;
  return out.str();
}

double parse_number(const Metadata& m, const std::string& key) {
  return metadata_double(m, key, "optimizer load_state_dict");
}

}  // namespace

double ParamGroup::get(const std::string& name) const {
  auto it = options.find(name);
  EMBER_CHECK(it != options.end(), "optimizer: parameter group has no option '", name, "'");
  return it->second;
}

Optimizer::Optimizer(std::string name, std::map<std::string, double> defaults)
    : name_(std::move(name)), defaults_(std::move(defaults)) {}

void Optimizer::add_param_group(std::vector<Tensor> params, const std::map<std::string, double>& overrides) {
  EMBER_CHECK(!params.empty(), name_, ": a parameter group needs at least one parameter");
  std::set<const TensorImpl*> seen;
  for (const ParamGroup& g : groups_)
    for (const Tensor& p : g.params) seen.insert(p.impl());
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& p = params[i];
    EMBER_CHECK(p.defined(), name_, ": parameter ", i, " is undefined");
    EMBER_CHECK(p.is_leaf() && p.requires_grad(), name_, ": parameter ", i, " (shape ", p.sizes(),
                ") must be a leaf tensor that requires grad");
    EMBER_CHECK(p.is_floating_point() && (p.dtype() == kFloat32 || p.dtype() == kFloat64), name_, ": parameter ", i,
                " must be float32 or float64, got ", dtype_name(p.dtype()));
    EMBER_CHECK(seen.insert(p.impl()).second, name_, ": parameter ", i,
                " appears in more than one parameter group (or twice in one)");
  }
  std::map<std::string, double> options = defaults_;
  for (const auto& [key, value] : overrides) {
    EMBER_CHECK(defaults_.count(key), name_, ": unknown option '", key, "' for a parameter group");
    options[key] = value;
  }
  check_options(options);
  groups_.push_back({std::move(params), std::move(options)});
}

void Optimizer::zero_grad(bool set_to_none) {
  NoGradGuard no_grad;
  for (ParamGroup& g : groups_)
    for (Tensor& p : g.params) {
      if (!p.grad().defined()) continue;
      if (set_to_none) p.set_grad(Tensor());
      else p.mutable_grad().zero_();
    }
}

Tensor Optimizer::step(const std::function<Tensor()>& closure) {
  Tensor loss;
  {
    EnableGradGuard enable;
    loss = closure();
  }
  step();
  return loss;
}

OptimizerState Optimizer::state_dict() const {
  OptimizerState out;
  out.scalars["optimizer"] = name_;
  out.scalars["param_groups"] = std::to_string(groups_.size());
  int64_t index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const std::string prefix = "param_groups." + std::to_string(g) + ".";
    out.scalars[prefix + "size"] = std::to_string(groups_[g].params.size());
    for (const auto& [key, value] : groups_[g].options) out.scalars[prefix + key] = number(value);
    for (const Tensor& p : groups_[g].params) {
      auto it = state_.find(p.impl());
      const std::string s = "state." + std::to_string(index++) + ".";
      if (it == state_.end()) continue;
      out.scalars[s + "step"] = std::to_string(it->second.step);
      for (const auto& [key, value] : it->second.scalars) out.scalars[s + key] = number(value);
      for (const auto& [key, t] : it->second.buffers)
        if (t.defined()) out.tensors.push_back({s + key, t.detach()});
    }
  }
  return out;
}

void Optimizer::load_state_dict(const OptimizerState& state) {
  const Metadata& m = state.scalars;
  auto name = m.find("optimizer");
  EMBER_CHECK(name != m.end() && name->second == name_, "load_state_dict: the state is for ",
              name == m.end() ? std::string("an unknown optimizer") : name->second, ", not ", name_);
  EMBER_CHECK(static_cast<size_t>(parse_number(m, "param_groups")) == groups_.size(), "load_state_dict: the state has ",
              m.at("param_groups"), " parameter groups but this optimizer has ", groups_.size());
  // Build everything first; only then replace (all or nothing).
  std::vector<std::map<std::string, double>> options(groups_.size());
  std::map<const TensorImpl*, ParamState> new_state;
  std::vector<const Tensor*> flat;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const std::string prefix = "param_groups." + std::to_string(g) + ".";
    EMBER_CHECK(static_cast<size_t>(parse_number(m, prefix + "size")) == groups_[g].params.size(),
                "load_state_dict: group ", g, " has ", m.at(prefix + "size"), " parameters in the state but ",
                groups_[g].params.size(), " here");
    for (const auto& [key, value] : groups_[g].options) options[g][key] = parse_number(m, prefix + key);
    for (const Tensor& p : groups_[g].params) flat.push_back(&p);
  }
  std::map<std::string, const Tensor*> tensors;
  for (const auto& [key, t] : state.tensors) tensors[key] = &t;
  for (size_t i = 0; i < flat.size(); ++i) {
    const std::string s = "state." + std::to_string(i) + ".";
    if (!m.count(s + "step")) continue;
    ParamState ps;
    ps.step = static_cast<int64_t>(parse_number(m, s + "step"));
    for (const auto& [key, value] : m)
      if (key.rfind(s, 0) == 0 && key != s + "step") ps.scalars[key.substr(s.size())] = parse_number(m, key);
    for (auto it = tensors.lower_bound(s); it != tensors.end() && it->first.rfind(s, 0) == 0; ++it) {
      const Tensor& p = *flat[i];
      EMBER_CHECK(it->second->sizes() == p.sizes(), "load_state_dict: ", it->first, " has shape ", it->second->sizes(),
                  " but parameter ", i, " has shape ", p.sizes());
      // As PyTorch: onto the parameter's device, in its dtype.
      ps.buffers[it->first.substr(s.size())] = it->second->to(p.device()).to(p.dtype(), true);
    }
    new_state[flat[i]->impl()] = std::move(ps);
  }
  for (const auto& [key, t] : state.tensors) {
    const size_t dot = key.find('.', 6);
    EMBER_CHECK(key.rfind("state.", 0) == 0 && dot != std::string::npos &&
                    static_cast<size_t>(parse_number({{"i", key.substr(6, dot - 6)}}, "i")) < flat.size(),
                "load_state_dict: tensor '", key, "' does not belong to any of the ", flat.size(), " parameters");
  }
  for (size_t g = 0; g < groups_.size(); ++g) check_options(options[g]);
  for (size_t g = 0; g < groups_.size(); ++g) groups_[g].options = options[g];
  state_ = std::move(new_state);
}

}  // namespace ember::optim
