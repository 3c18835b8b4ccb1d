// FrozenTrial, the record of a trial, and the names of its states.
#include "ember/error.h"
#include "ember/tune/trial.h"

namespace ember::tune {

const char* state_name(TrialState state) {
  switch (state) {
    case TrialState::running: return "RUNNING";
    case TrialState::complete: return "COMPLETE";
    case TrialState::pruned: return "PRUNED";
    case TrialState::fail: return "FAIL";
    case TrialState::waiting: return "WAITING";
  }
  return "?";
}

std::optional<int64_t> FrozenTrial::last_step() const {
  if (intermediate_values.empty()) return std::nullopt;
  return intermediate_values.rbegin()->first;
}

ParamValue FrozenTrial::param(const std::string& name) const {
  auto it = params.find(name);
  EMBER_CHECK(it != params.end(), "tune: trial ", number, " has no parameter '", name, "'");
  return to_external(distributions.at(name), it->second);
}

}  // namespace ember::tune
