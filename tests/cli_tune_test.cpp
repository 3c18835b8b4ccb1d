// `ember tune` end to end: trials as training runs, pruning, best.json that
// retrains to the same value, charts, a crashing trial, bad input, and a study
// whose process is killed (SIGKILL) and resumed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>

#include "cli_helpers.h"
#include "ember/tune.h"

using namespace ember_test;
using ember::tune::FrozenTrial;
using ember::tune::Study;
using ember::tune::TrialState;
using Json = nlohmann::json;

namespace {

const std::string kQuick = "-- --model mlp --dataset synthetic --epochs 3";

std::vector<FrozenTrial> study_trials(const fs::path& dir, ember::tune::Direction direction = ember::tune::Direction::minimize) {
  Study study({.name = "ember-tune", .direction = direction, .journal = (dir / "journal.log").string()});
  return study.trials();
}

// The last epoch's value of `key` in a run's metrics.jsonl, as written.
std::string last_metric(const fs::path& run, const std::string& key) {
  std::ifstream in(run / "metrics.jsonl");
  std::string line, last;
  while (std::getline(in, line)) last = line;
  return Json::parse(last).at(key).dump();
}

// Waits (up to 10 s) until no process's command line mentions `text`.
bool no_process_mentions(const std::string& text) {
  for (int i = 0; i < 1000; ++i) {
    bool found = false;
    for (const auto& entry : fs::directory_iterator("/proc")) {
      const std::string name = entry.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::string cmdline = bytes_of(entry.path() / "cmdline");
      std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
      found = found || cmdline.find(text) != std::string::npos;
    }
    if (!found) return true;
    ::usleep(10000);
  }
  return false;
}

}  // namespace

class CliTune : public CliTest {};

TEST_F(CliTune, PrunesTrialsAndItsBestRetrainsToTheSameValue) {
  const fs::path study = dir_ / "study";
  const auto [status, out] = ember_cli("tune --out " + study.string() + " --trials 6 --pruner median:startup=2 "
                                       "--param lr=log:1e-3:1 --param weight_decay=log:1e-6:1e-2 " + kQuick);
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, testing::HasSubstr("tpe sampler, median pruner, minimizing val_loss"));
  EXPECT_THAT(out, testing::HasSubstr("pruned at epoch"));
  EXPECT_THAT(out, testing::HasSubstr("retrain it with: ember train --config"));
  const std::vector<FrozenTrial> trials = study_trials(study);
  ASSERT_EQ(trials.size(), 6u);
  int pruned = 0;
  for (const FrozenTrial& t : trials) {
    EXPECT_TRUE(t.state == TrialState::complete || t.state == TrialState::pruned) << t.number;
    pruned += t.state == TrialState::pruned;
    // Every epoch of the run was reported, and a pruned run stopped there.
    const fs::path run = study / "trials" / std::to_string(t.number);
    std::ifstream metrics(run / "metrics.jsonl");
    size_t epochs = 0;
    for (std::string line; std::getline(metrics, line);) ++epochs;
    EXPECT_EQ(epochs, t.intermediate_values.size()) << t.number;
    EXPECT_EQ(t.state == TrialState::complete, epochs == 3) << t.number;
  }
  EXPECT_GE(pruned, 1);
  for (const char* file : {"best.json", "history.png", "intermediate.png", "tune.json", "logs/trial-0.txt"})
    EXPECT_TRUE(fs::exists(study / file)) << file;
  // best.json retrains the best trial exactly.
  Study s({.name = "ember-tune", .journal = (study / "journal.log").string()});
  const FrozenTrial best = s.best_trial();
  const auto [retrain_status, retrain_out] =
      ember_cli("train --config " + (study / "best.json").string() + " --out " + (dir_ / "again").string() + " --quiet");
  ASSERT_EQ(retrain_status, 0) << retrain_out;
  EXPECT_EQ(last_metric(dir_ / "again", "val_loss"), last_metric(study / "trials" / std::to_string(best.number), "val_loss"));
  EXPECT_DOUBLE_EQ(std::stod(last_metric(dir_ / "again", "val_loss")), *best.value);
  // Optuna loads the study the command wrote (where python3 has it).
  if (std::system("/usr/bin/python3 -c 'import optuna' > /dev/null 2>&1") == 0) {
    const std::string check =
        "/usr/bin/python3 -c \"import optuna, sys; optuna.logging.set_verbosity(optuna.logging.WARNING); "
        "st = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1])); "
        "s = optuna.load_study(study_name='ember-tune', storage=st); "
        "print(len(s.trials), s.best_trial.number, s.best_value)\" " + (study / "journal.log").string();
    const auto [py_status, py_out] = ember_cli_command(check);
    EXPECT_EQ(py_status, 0) << py_out;
    EXPECT_THAT(py_out, testing::HasSubstr("6 " + std::to_string(best.number) + " "));
  }
}

TEST_F(CliTune, RunsTrialsInParallelAndRecordsACrashingTrialAsFail) {
  const fs::path study = dir_ / "study";
  // The grid visits both models; one of them does not exist, so its run fails.
  const auto [status, out] = ember_cli("tune --out " + study.string() + " --trials 4 --jobs 2 --sampler grid "
                                       "--pruner none --param model=cat:mlp,nosuchmodel --param lr=cat:0.05,0.1 "
                                       "-- --dataset synthetic --epochs 2");
  ASSERT_EQ(status, 0) << out;
  const std::vector<FrozenTrial> trials = study_trials(study);
  ASSERT_EQ(trials.size(), 4u);
  int failed = 0;
  for (const FrozenTrial& t : trials) {
    const bool bad = std::get<std::string>(t.param("model")) == "nosuchmodel";
    EXPECT_EQ(t.state, bad ? TrialState::fail : TrialState::complete) << t.number;
    if (bad) {
      ++failed;
      EXPECT_THAT(t.system_attrs.at("fail_reason"), testing::HasSubstr("nosuchmodel")) << t.number;
    }
  }
  EXPECT_EQ(failed, 2);
  EXPECT_THAT(out, testing::HasSubstr("failed: its run exited with status 1"));
}

TEST_F(CliTune, RejectsBadInputNamingWhatIsWrong) {
  const std::string out_flag = "tune --out " + (dir_ / "s").string() + " ";
  auto expect_error = [&](const std::string& args, const std::string& message) {
    const auto [status, out] = ember_cli(out_flag + args);
    EXPECT_NE(status, 0) << args;
    EXPECT_THAT(out, testing::HasSubstr(message)) << args;
  };
  expect_error("--param foo=log:1:2 " + kQuick, "'foo' is not a setting of ember train");
  expect_error("--param lr=log:1e-3 " + kQuick, "expected log:LO:HI");
  expect_error("--param lr=gauss:1:2 " + kQuick, "unknown kind 'gauss'");
  expect_error("--param batch_size=log:1:2 " + kQuick, "--batch-size takes an integer");
  expect_error("--param lr=log:0:1 " + kQuick, "a log-scaled range needs low > 0");
  expect_error(kQuick, "the search space is empty");
  expect_error("--param lr=log:1e-3:1 --metric accuracy " + kQuick, "'accuracy' is not a metric the runs report");
  expect_error("--param lr=log:1e-3:1 --pruner median:warmpu=1 " + kQuick, "median has no option 'warmpu'");
  expect_error("--param lr=log:1e-3:1 --pruner median:warmup=x " + kQuick, "--pruner median:warmup=x: 'x' is not a number");
  expect_error("--param batch_size=int:a:64 " + kQuick, "--param batch_size=int:a:64: 'a' is not an integer");
  expect_error("--param lr=log:1e-3:1 --sampler grid " + kQuick, "the grid needs its values");
  expect_error("--param lr=log:1e-3:1 " + kQuick + " --lr 0.1", "the train flag --lr is tuned");
  expect_error("--param lr=log:1e-3:1 --trials 2 " + kQuick + " --val-split 0", "the runs do not report it");
  fs::create_directories(dir_ / "full");
  std::ofstream(dir_ / "full" / "journal.log") << "";
  const auto [status, out] = ember_cli("tune --out " + (dir_ / "full").string() + " --param lr=log:1e-3:1 " + kQuick);
  EXPECT_NE(status, 0);
  EXPECT_THAT(out, testing::HasSubstr("continue it with --resume"));
}

TEST_F(CliTune, AKilledStudyResumesWithTheDeadTrialFailed) {
  const fs::path study = dir_ / "study", log = dir_ / "tune.txt";
  const pid_t pid = spawn_cli("tune --out " + study.string() + " --trials 3 --pruner none --param lr=log:1e-2:1e-1 "
                              "-- --model mlp --dataset synthetic --epochs 12", log);
  // Killed while trial 1 runs: its first epoch is in the journal (op 7 of trial id 1).
  ASSERT_TRUE(wait_for_text(study / "journal.log", "\"op_code\":7,\"step\":0,\"trial_id\":1")) << bytes_of(log);
  ::kill(pid, SIGKILL);
  EXPECT_EQ(wait_status(pid), 128 + SIGKILL);
  // Its trial's process died with it.
  EXPECT_TRUE(no_process_mentions((study / "trials" / "1").string()));
  {
    const std::vector<FrozenTrial> before = study_trials(study);
    ASSERT_EQ(before.size(), 2u);
    EXPECT_EQ(before[1].state, TrialState::running);
  }
  const auto [status, out] = ember_cli("tune --resume " + study.string());
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, testing::HasSubstr("1 trial left running by the study's earlier process: marked FAIL"));
  const std::vector<FrozenTrial> trials = study_trials(study);
  ASSERT_EQ(trials.size(), 3u);  // the study reached --trials
  EXPECT_EQ(trials[0].state, TrialState::complete);
  EXPECT_EQ(trials[1].state, TrialState::fail);
  EXPECT_EQ(trials[2].state, TrialState::complete);
  EXPECT_THAT(out, testing::HasSubstr("trial 2 "));
  // Nothing new to run: resuming a finished study only reports it; --trials raises its total.
  const auto [done_status, done_out] = ember_cli("tune --resume " + study.string());
  ASSERT_EQ(done_status, 0) << done_out;
  EXPECT_THAT(done_out, testing::HasSubstr("0 trials to run (3 done of 3)"));
  EXPECT_EQ(study_trials(study).size(), 3u);
  const auto [again_status, again_out] = ember_cli("tune --resume " + study.string() + " --trials 4");
  ASSERT_EQ(again_status, 0) << again_out;
  EXPECT_EQ(study_trials(study).size(), 4u);
  const auto [bad_status, bad_out] = ember_cli("tune --resume " + study.string() + " --param lr=log:1e-3:1");
  EXPECT_NE(bad_status, 0);
  EXPECT_THAT(bad_out, testing::HasSubstr("--resume continues a study with its own settings"));
}

TEST_F(CliTune, StartsNoTrialAfterTheTimeout) {
  const fs::path study = dir_ / "study";
  const auto [status, out] = ember_cli("tune --out " + study.string() + " --trials 500 --timeout 1 --pruner none "
                                       "--param lr=log:1e-3:1e-1 " + kQuick);
  ASSERT_EQ(status, 0) << out;
  const std::vector<FrozenTrial> trials = study_trials(study);
  EXPECT_GE(trials.size(), 1u);
  EXPECT_LT(trials.size(), 500u);
  for (const FrozenTrial& t : trials) EXPECT_EQ(t.state, TrialState::complete) << t.number;  // running ones finished
}
