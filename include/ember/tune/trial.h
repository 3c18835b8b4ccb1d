// A trial of a study: one evaluation of the objective at one point of the
// search space. FrozenTrial is its record (what the journal holds); Trial is
// the handle the objective gets, shaped like Optuna's: it suggests parameter
// values, takes intermediate values and says when the pruner wants it stopped.
#pragma once

#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ember/tune/distribution.h"

namespace ember::tune {

// The values are Optuna's, as its journal stores them.
enum class TrialState { running = 0, complete = 1, pruned = 2, fail = 3, waiting = 4 };
const char* state_name(TrialState state);  // "RUNNING", "COMPLETE", ...

struct FrozenTrial {
  int64_t number = 0;    // within its study, from 0
  int64_t trial_id = 0;  // within the journal, over all of its studies
  TrialState state = TrialState::running;
  std::optional<double> value;                          // complete; pruned: its last intermediate value
  std::map<std::string, double> params;                 // internal representation
  std::map<std::string, Distribution> distributions;
  std::map<int64_t, double> intermediate_values;        // step -> value
  std::map<std::string, std::string> user_attrs, system_attrs;  // key -> JSON text
  std::string datetime_start, datetime_complete;        // ISO 8601 local time, as Optuna writes them

  bool finished() const { return state == TrialState::complete || state == TrialState::pruned || state == TrialState::fail; }
  std::optional<int64_t> last_step() const;
  ParamValue param(const std::string& name) const;  // external representation; an Error naming it when absent
};

// Thrown by an objective to end its trial as pruned (after should_prune() said so).
class TrialPruned : public std::exception {
 public:
  const char* what() const noexcept override { return "trial pruned"; }
};

class Study;

struct FloatOptions {
  bool log = false;
  std::optional<double> step = {};
};
struct IntOptions {
  bool log = false;
  int64_t step = 1;
};

class Trial {
 public:
  int64_t number() const { return number_; }
  // A value for the parameter (the same one again when it was suggested
  // before in this trial); the sampler chooses it.
  double suggest_float(const std::string& name, double low, double high, FloatOptions options = {});
  int64_t suggest_int(const std::string& name, int64_t low, int64_t high, IntOptions options = {});
  ParamValue suggest_categorical(const std::string& name, const std::vector<ParamValue>& choices);
  std::string suggest_categorical(const std::string& name, const std::vector<std::string>& choices);
  ParamValue suggest(const std::string& name, const Distribution& distribution);

  // An intermediate value at `step` (>= 0; a step reported twice keeps its first value).
  void report(double value, int64_t step);
  // Whether the study's pruner would stop the trial at its last reported step.
  bool should_prune();
  void set_user_attr(const std::string& key, const ParamValue& value);
  FrozenTrial frozen() const;

 private:
  friend class Study;
  Trial(Study* study, int64_t trial_id, int64_t number) : study_(study), trial_id_(trial_id), number_(number) {}
  Study* study_;
  int64_t trial_id_, number_;
};

}  // namespace ember::tune
