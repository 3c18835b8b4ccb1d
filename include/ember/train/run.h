// A training run as one object: from a RunConfig it builds the data (the
// datasets registry), the model (the models registry), the optimizer and the
// schedule (the optimizer registry), holds the run folder, and trains,
// leaving config.json, metrics.jsonl, train.log, last/best checkpoints,
// curves.png and summary.json there. A run interrupted or killed continues
// from its checkpoint, inside an epoch too. `ember train` turns flags into a
// RunConfig and shows the run's progress; everything else is here.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "ember/metadata.h"
#include "ember/train.h"
#include "ember/train/run_config.h"

namespace ember::train {

struct RunOptions {
  RunFolder::Mode mode = RunFolder::Mode::create;
  std::string folder = {};  // empty: runs/<model>-<timestamp>
  // Facts recorded in config.json beside the settings (a tool's version, say).
  Metadata facts = {};
  // Every line the run reports: the start, each epoch, samples of generative
  // models, the result. train.log gets them too.
  std::function<void(const std::string&)> on_line = {};
  // Progress inside an epoch: (epoch from 0, batch, batches, running loss,
  // running accuracy, samples seen).
  std::function<void(int64_t, int64_t, int64_t, double, double, int64_t)> on_batch = {};
  // Checked after each batch: true stops the run there, checkpointed (Ctrl-C).
  std::function<bool()> interrupted = {};
  // After each epoch is checkpointed: false ends training there, as early
  // stopping does (the test split is still evaluated). `ember tune` prunes so.
  std::function<bool(const EpochMetrics&)> on_epoch = {};
};

struct RunOutcome {
  enum class End { finished, interrupted, failed };
  End end = End::finished;
  std::optional<EpochProgress> interrupted_at;  // interrupted: where the checkpoint was taken
  std::string error;                            // failed: why (a non-finite loss, a full disk, ...)
  bool has_checkpoint = false;                  // failed: last.safetensors holds the last good epoch
  EvalResult test;                              // finished: on the test split
  double total_seconds = 0;                     // over every session of the run
};

class Run {
 public:
  // Builds everything, takes the folder's lock for the Run's lifetime and
  // checks its free space; resuming, puts model, optimizer, schedule, early
  // stopping and the random stream back where last.safetensors was taken.
  // Sets the process's compute threads (config.threads > 0) and seeds its
  // default generator (config.seed), as a run owns the process.
  Run(RunConfig config, RunOptions options);
  ~Run();
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  const RunConfig& config() const;
  const std::string& folder() const;
  std::string file(const std::string& name) const;  // the path of a file of the run's folder
  nn::Module& model();
  // Resuming: the epochs last.safetensors covers, and the progress inside
  // the next one when it was taken mid-epoch.
  int64_t epochs_done() const;
  const std::optional<EpochProgress>& resume_progress() const;

  // Trains from where the run stands to config().epochs (early stopping may
  // end it sooner), checkpointing every epoch, then evaluates on the test split.
  RunOutcome train();
  // A line to on_line and train.log; an Error when train.log cannot be written.
  void report(const std::string& line);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ember::train
