// A hyperparameter search, shaped like Optuna's Study: a direction, a sampler,
// a pruner and a storage. optimize() runs the objective for n trials (n_jobs
// at once), recording every step in the storage: in memory, or Optuna's
// journal file format (JournalFileStorage), which Optuna itself can load and
// which makes a study resumable and readable while it runs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ember/tune/pruner.h"
#include "ember/tune/sampler.h"
#include "ember/tune/trial.h"

namespace ember::tune {

namespace detail {
class Journal;
}

struct StudyOptions {
  std::string name = "ember-study";
  Direction direction = Direction::minimize;
  std::shared_ptr<Sampler> sampler = {};  // none: TpeSampler(0)
  std::shared_ptr<Pruner> pruner = {};    // none: MedianPruner()
  // Empty: in memory. Else a journal file: created when absent; a study of
  // this name in it is loaded (its direction must agree) and continued.
  std::string journal = {};
};

struct OptimizeOptions {
  int64_t n_trials = 0;          // trials to run in this call; 0: until timeout or stop()
  int64_t n_jobs = 1;            // trials at once, each on its own thread
  double timeout_seconds = 0;    // no trial starts after this long (0: no limit)
  // An objective that throws anything but TrialPruned marks its trial FAIL,
  // with the error as system attribute "fail_reason"; then true: the study goes
  // on, false: the error is rethrown once the running trials end.
  bool catch_errors = true;
  // After each trial ends, serialized.
  std::function<void(const FrozenTrial&)> on_trial_end = {};
};

class Study {
 public:
  explicit Study(StudyOptions options);
  ~Study();
  Study(const Study&) = delete;
  Study& operator=(const Study&) = delete;

  using Objective = std::function<double(Trial&)>;
  void optimize(const Objective& objective, OptimizeOptions options);
  void optimize(const Objective& objective, int64_t n_trials, int64_t n_jobs = 1) {
    optimize(objective, {.n_trials = n_trials, .n_jobs = n_jobs});
  }
  void stop();  // no new trial starts; running ones finish

  // Ask and tell, for a loop of one's own.
  Trial ask();
  void tell(Trial& trial, double value);  // a non-finite value makes it FAIL, as in Optuna
  void tell(Trial& trial, TrialState state);  // pruned (keeps its last intermediate value) or fail

  // Trials left RUNNING by a process that died (the journal's other writers):
  // marked FAIL, returning how many. A resumed study calls it first.
  int64_t fail_stale_trials();

  const std::string& name() const { return options_.name; }
  Direction direction() const { return options_.direction; }
  Sampler& sampler() { return *options_.sampler; }
  Pruner& pruner() { return *options_.pruner; }
  std::vector<FrozenTrial> trials() const;
  // The completed trial with the best value; an Error when none completed.
  FrozenTrial best_trial() const;
  // Lines of the journal that could not be read (named, skipped), since loading.
  std::vector<std::string> journal_warnings() const;

 private:
  friend class Trial;
  ParamValue suggest(Trial& trial, const std::string& name, const Distribution& distribution);
  void report(Trial& trial, double value, int64_t step);
  bool should_prune(Trial& trial);
  void set_user_attr(Trial& trial, const std::string& key, const std::string& json);
  FrozenTrial frozen(const Trial& trial) const;
  void finish(Trial& trial, TrialState state, std::optional<double> value, const std::string& fail_reason = {});

  StudyOptions options_;
  int64_t study_id_ = 0;
  std::unique_ptr<detail::Journal> journal_;
  mutable std::mutex mutex_;  // guards the journal, the sampler and the pruner
  bool stop_requested_ = false;
};

}  // namespace ember::tune
