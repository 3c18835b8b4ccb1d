// The `ember` tool end to end: a short run on synthetic data leaves every
// file of a run folder; eval reads its checkpoint; misuse gets clear errors.
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include <sys/types.h>
#include <unistd.h>

namespace fs = std::filesystem;
using ::testing::HasSubstr;

namespace {

// {exit status, stdout + stderr} of a shell command.
std::pair<int, std::string> ember_cli_command(const std::string& shell_command) {
  const std::string command = shell_command + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  while (size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  return {WEXITSTATUS(status), out};
}

// {exit status, stdout + stderr} of `ember <args>`.
std::pair<int, std::string> ember_cli(const std::string& args) { return ember_cli_command(std::string(EMBER_CLI) + " " + args); }

class Cli : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = fs::temp_directory_path() / ("ember_cli_test_" + std::to_string(::getpid())); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(Cli, TrainLeavesARunFolderAndEvalReadsIt) {
  const auto [status, out] = ember_cli("train --dataset synthetic --model mlp --epochs 3 --batch-size 64 --val-split 0.2 "
                                       "--scheduler cosine --warmup-epochs 1 --quiet --threads 1 --out " + dir_.string());
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("epoch 3/3"));
  for (const char* f : {"config.json", "metrics.jsonl", "summary.json", "train.log", "last.safetensors", "best.safetensors",
                        "curves.png"})
    EXPECT_TRUE(fs::exists(dir_ / f)) << f;
  nlohmann::json config, summary;
  std::ifstream(dir_ / "config.json") >> config;
  for (const char* key : {"model", "dataset", "epochs", "lr", "scheduler", "augment", "seed", "threads", "ember_version",
                          "git_hash", "parameters"})
    EXPECT_TRUE(config.contains(key)) << key;
  std::ifstream(dir_ / "summary.json") >> summary;
  EXPECT_GT(summary["test_accuracy"].get<double>(), 0.9);  // well-separated blobs
  std::ifstream metrics(dir_ / "metrics.jsonl");
  int lines = 0;
  for (std::string line; std::getline(metrics, line); ++lines) {
    const auto row = nlohmann::json::parse(line);
    EXPECT_TRUE(row.contains("val_acc") && row.contains("train_samples_per_sec"));
  }
  EXPECT_EQ(lines, 3);
  const auto [eval_status, eval_out] = ember_cli("eval --checkpoint " + (dir_ / "best.safetensors").string());
  EXPECT_EQ(eval_status, 0) << eval_out;
  EXPECT_THAT(eval_out, HasSubstr("confusion matrix"));
  // A second run into the same folder is refused and leaves it alone.
  const auto [again, again_out] = ember_cli("train --dataset synthetic --model mlp --epochs 1 --out " + dir_.string());
  EXPECT_EQ(again, 1);
  EXPECT_THAT(again_out, HasSubstr("already holds a run"));
}

TEST_F(Cli, MultiStepScheduleDecaysAtItsMilestones) {
  const auto [status, out] = ember_cli("train --dataset synthetic --model mlp --epochs 3 --optimizer sgd --lr 0.1 "
                                       "--scheduler multistep --milestones 1,2 --gamma 0.1 --quiet --out " + dir_.string());
  ASSERT_EQ(status, 0) << out;
  std::ifstream metrics(dir_ / "metrics.jsonl");
  std::vector<double> lrs;
  for (std::string line; std::getline(metrics, line);) lrs.push_back(nlohmann::json::parse(line)["lr"].get<double>());
  ASSERT_EQ(lrs.size(), 3u);
  EXPECT_DOUBLE_EQ(lrs[0], 0.1);
  EXPECT_DOUBLE_EQ(lrs[1], 0.01);
  EXPECT_NEAR(lrs[2], 0.001, 1e-15);
}

TEST_F(Cli, DivergedRunStopsNamingEpochAndBatch) {
  const auto [status, out] = ember_cli("train --model mlp --optimizer sgd --lr 900 --momentum 0.99 --epochs 2 --quiet "
                                       "--out " + dir_.string());
  EXPECT_EQ(status, 1);
  EXPECT_THAT(out, HasSubstr("stopped: fit: the loss became"));
  EXPECT_THAT(out, HasSubstr("at epoch 1, batch"));
  EXPECT_THAT(out, HasSubstr("no checkpoint was written"));
}

// On a terminal (here a pseudo-terminal from util-linux's `script`), each epoch draws a bar.
TEST_F(Cli, ProgressBarOnATerminal) {
  if (std::system("command -v script > /dev/null 2>&1") != 0) GTEST_SKIP() << "util-linux `script` is not installed";
  const std::string run = std::string(EMBER_CLI) + " train --dataset synthetic --model mlp --epochs 1 --threads 1 --out " +
                          dir_.string();
  const auto [status, out] = ember_cli_command("script -qec '" + run + "' /dev/null");
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("100% [#########################] 29/29 "));  // 10% held out for validation
  EXPECT_THAT(out, HasSubstr(" samples/s  loss "));
  EXPECT_THAT(out, HasSubstr("epoch 1/1"));
  EXPECT_THAT(out, HasSubstr("val_loss"));
}

TEST_F(Cli, LanguageModelOnTextPrintsSamples) {
  const auto [status, out] = ember_cli("train --model gpt --dataset text --seq-len 32 --epochs 2 --batch-size 16 "
                                       "--lr 0.003 --threads 1 --quiet --out " + dir_.string());
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("epoch 2/2"));
  EXPECT_THAT(out, HasSubstr("sample: T"));  // the built-in text starts with "The smith"
  EXPECT_THAT(out, HasSubstr("test_accuracy"));
  const auto [eval_status, eval_out] = ember_cli("eval --checkpoint " + (dir_ / "last.safetensors").string());
  EXPECT_EQ(eval_status, 0) << eval_out;
}

TEST_F(Cli, BenchPrintsOneResultLine) {
  const auto [status, out] = ember_cli("bench mlp --warmup 0 --steps 1 --repeats 1 --threads 1");
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, ::testing::MatchesRegex("mlp  [0-9.]+ samples/s  [0-9.]+ ms/step  \\(1 threads, median of 1 x 1 steps\\)\n"));
  EXPECT_THAT(ember_cli("bench resnet9000").second, HasSubstr("unknown workload 'resnet9000'; known: gemm, gpt-tiny"));
  EXPECT_THAT(ember_cli("bench").second, HasSubstr("usage: ember bench WORKLOAD"));
}

TEST_F(Cli, SummaryOfLeNet5) {
  const auto [status, out] = ember_cli("summary --model lenet5");
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("0 (Conv2d)"));
  EXPECT_THAT(out, HasSubstr("[1, 6, 28, 28]"));
  EXPECT_THAT(out, HasSubstr("total parameters:      61706"));
  // conv1 28*28*6*25 + conv2 10*10*16*150 + 400*120 + 120*84 + 84*10
  EXPECT_THAT(out, HasSubstr("forward MACs:          416520"));
}

// Starts `ember <args>` in the background; returns its pid.
pid_t start_cli(const std::string& args) {
  const std::string command = std::string(EMBER_CLI) + " " + args + " > /dev/null 2>&1 & echo $!";
  FILE* pipe = ::popen(command.c_str(), "r");
  long pid = 0;
  EXPECT_EQ(std::fscanf(pipe, "%ld", &pid), 1);
  ::pclose(pipe);
  return static_cast<pid_t>(pid);
}

std::string bytes_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// A run killed (SIGKILL) after its first epoch, or interrupted (SIGINT) as
// soon as it starts training, then resumed, ends with the same weights and
// metrics as an uninterrupted run. Ctrl-C checkpoints inside the epoch.
TEST_F(Cli, ResumeAfterKillOrCtrlCMatchesAnUninterruptedRun) {
  const std::string recipe = "train --model mlp --epochs 3 --batch-size 128 --val-split 0.8 --scheduler cosine "
                             "--augment flip --threads 1 --quiet --out ";
  const fs::path straight = dir_ / "straight";
  ASSERT_EQ(ember_cli(recipe + straight.string()).first, 0);
  for (int signal : {SIGKILL, SIGINT}) {
    const fs::path run = dir_ / ("run" + std::to_string(signal));
    const pid_t pid = start_cli(recipe + run.string());
    if (signal == SIGKILL) {  // after the first checkpoint (a run killed before it has nothing to resume)
      for (int i = 0; i < 6000 && !fs::exists(run / "last.safetensors"); ++i) ::usleep(10000);
    } else {  // as soon as the first line is logged: inside the first epoch
      for (int i = 0; i < 6000 && bytes_of(run / "train.log").find("run folder") == std::string::npos; ++i) ::usleep(10000);
    }
    ::kill(pid, signal);
    for (int i = 0; i < 6000 && ::kill(pid, 0) == 0; ++i) ::usleep(10000);  // until it is gone
    if (signal == SIGINT) {
      EXPECT_THAT(bytes_of(run / "train.log"), HasSubstr("continue with: ember train --resume " + run.string()));
    }
    const auto [status, out] = ember_cli("train --resume " + run.string() + " --quiet");
    ASSERT_EQ(status, 0) << out;
    EXPECT_EQ(bytes_of(run / "last.safetensors"), bytes_of(straight / "last.safetensors")) << "signal " << signal;
    std::ifstream a(straight / "metrics.jsonl"), b(run / "metrics.jsonl");
    std::string la, lb;
    int64_t epochs = 0;
    while (std::getline(a, la) && std::getline(b, lb)) {
      const auto ra = nlohmann::json::parse(la), rb = nlohmann::json::parse(lb);
      for (const char* key : {"epoch", "lr", "train_loss", "train_acc", "val_loss", "val_acc"})
        EXPECT_EQ(ra[key], rb[key]) << key << " of epoch " << epochs + 1 << ", signal " << signal;
      ++epochs;
    }
    EXPECT_EQ(epochs, 3);
  }
  EXPECT_THAT(ember_cli("train --resume " + (dir_ / "straight").string() + " --lr 0.5").second,
              HasSubstr("--resume continues a run with its own settings (config.json); drop --lr"));
  EXPECT_THAT(ember_cli("train --resume " + dir_.string()).second, HasSubstr("holds no run (no config.json)"));
}

TEST_F(Cli, BadInputNamesTheProblem) {
  EXPECT_THAT(ember_cli("train --model resnet9000").second, HasSubstr("unknown model 'resnet9000'; registered models: alexnet, densenet121, googlenet, gpt, gru, lenet5, lstm, mlp"));
  EXPECT_THAT(ember_cli("train --dataset imagenet").second, HasSubstr("unknown dataset 'imagenet'; known datasets: fashion-mnist"));
  EXPECT_THAT(ember_cli("train --lr abc").second, HasSubstr("--lr: 'abc' is not a number"));
  EXPECT_THAT(ember_cli("train --batch-size 0").second, HasSubstr("--batch-size: 0 is out of range"));
  EXPECT_THAT(ember_cli("train --scheduler warp").second, HasSubstr("unknown scheduler 'warp'"));
  EXPECT_THAT(ember_cli("train --scheduler multistep --milestones 3,2").second,
              HasSubstr("--milestones: '3,2' must be increasing positive epoch numbers"));
  EXPECT_THAT(ember_cli("train --augment warp").second, HasSubstr("unknown augmentation 'warp'; known: none, flip, crop, standard"));
  EXPECT_THAT(ember_cli("train --dataset synthetic --augment crop").second, HasSubstr("--augment crop needs an image dataset"));
  EXPECT_THAT(ember_cli("train --dataset mnist").second, HasSubstr("--dataset mnist needs --data-root DIR"));
  EXPECT_THAT(ember_cli("train --data-root /nonexistent").second,
              HasSubstr("to get it: install Debian's package (apt-get install dataset-fashion-mnist"));
  EXPECT_THAT(ember_cli("frobnicate").second, HasSubstr("unknown command 'frobnicate'"));
  EXPECT_THAT(ember_cli("models").second, HasSubstr("lenet5"));
  EXPECT_THAT(ember_cli("summary --input 1x28").second, HasSubstr("--input: '1x28' must have three sizes (CxHxW)"));
  EXPECT_THAT(ember_cli("summary --model gpt --input 64 --classes 65").second, HasSubstr("total parameters:      809856"));
  EXPECT_THAT(ember_cli("summary --model transformer --input 10 --classes 12").second,
              HasSubstr("total parameters:      236044"));
  EXPECT_THAT(ember_cli("datasets").second, HasSubstr("fashion-mnist"));
}

}  // namespace
