// A study's storage in Optuna's journal format (JournalFileStorage): a file
// of JSON lines, one per operation (create a study, create a trial, set a
// parameter, a state, an intermediate value, an attribute), which is replayed
// into studies and trials. Appends are whole lines under Optuna's lock (a
// symbolic link beside the file), after reading what other writers appended,
// so Ember and Optuna can share one file. With no path it keeps the same
// records in memory only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ember/tune/sampler.h"
#include "ember/tune/trial.h"
#include "tune/json_values.h"

namespace ember::tune::detail {

class Journal {
 public:
  explicit Journal(std::string path);

  // The id of the study of this name, created when absent (*created says which).
  int64_t open_study(const std::string& name, Direction direction, bool* created);
  Direction direction(int64_t study_id) const;
  int64_t create_trial(int64_t study_id);
  void set_param(int64_t trial_id, const std::string& name, double internal, const Distribution& distribution);
  void set_state(int64_t trial_id, TrialState state, std::optional<double> value);
  void set_intermediate_value(int64_t trial_id, int64_t step, double value);
  void set_user_attr(int64_t trial_id, const std::string& key, const std::string& json);
  void set_system_attr(int64_t trial_id, const std::string& key, const std::string& json);

  std::vector<FrozenTrial> trials(int64_t study_id);  // after reading other writers' lines
  const FrozenTrial& trial(int64_t trial_id) const;
  // Running trials that another process (an earlier run of this study) created.
  std::vector<int64_t> foreign_running_trials(int64_t study_id);
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  struct StudyRecord {
    std::string name;
    Direction direction;
    std::vector<int64_t> trial_ids;
  };
  void append(Json op);
  void sync();
  void apply(const Json& op, bool ours);
  bool exists_and_open(int64_t trial_id, bool ours) const;

  std::string path_;
  std::string worker_id_;  // Optuna's form: a random UUID, a dash, a thread tag
  uint64_t offset_ = 0;    // bytes of the file replayed
  int64_t lines_read_ = 0;
  std::map<int64_t, StudyRecord> studies_;
  int64_t next_study_id_ = 0;
  std::vector<FrozenTrial> trials_;           // by trial id
  std::vector<int64_t> trial_study_;          // trial id -> study id
  std::vector<std::string> trial_creator_;    // trial id -> worker id that created it
  int64_t last_created_by_us_ = -1;
  std::vector<std::string> warnings_;
};

}  // namespace ember::tune::detail
