// The `ember` tool end to end: a short run on synthetic data leaves every
// file of a run folder; eval reads its checkpoint; misuse gets clear errors.
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_helpers.h"

using ::testing::HasSubstr;
using namespace ember_test;

namespace {

using Cli = CliTest;

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
  EXPECT_THAT(out, ::testing::MatchesRegex("mlp  [0-9.]+ samples/s  [0-9.]+ ms/step  \\(1 threads, median of 1 x 1 steps\\)  "
                                           "[0-9.]+ GFLOP/s = [0-9]+% of this run's float32 GEMM \\([0-9.]+ GFLOP/s\\)\n"));
  EXPECT_THAT(ember_cli("bench resnet9000").second, HasSubstr("unknown workload 'resnet9000'; known: gemm, gpt-tiny"));
  const auto [list_status, list] = ember_cli("bench");  // a list, not an error
  EXPECT_EQ(list_status, 0);
  EXPECT_THAT(list, HasSubstr("usage: ember bench WORKLOAD"));
}

TEST_F(Cli, SummaryOfLeNet5) {
  const auto [status, out] = ember_cli("summary --model lenet5");
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("0 (Conv2d)"));
  EXPECT_THAT(out, HasSubstr("[1, 6, 28, 28]"));
  EXPECT_THAT(out, HasSubstr("total parameters:      61706"));
  // conv1 28*28*6*25 + conv2 10*10*16*150 + 400*120 + 120*84 + 84*10
  EXPECT_THAT(out, HasSubstr("forward MACs:          416520 (416.52 KMACs)"));
  EXPECT_THAT(out, HasSubstr("parameter memory:      241.0 KiB"));
}

// summary runs on the meta device: a 44.5M-parameter model at ImageNet size
// allocates neither its weights nor its activations.
TEST_F(Cli, SummaryOfResNet101RunsOnMetaInLittleMemory) {
  const auto [status, out] = ember_cli("summary --model resnet101 --input 3x224x224 --classes 1000");
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("total parameters:      44549160"));
  EXPECT_THAT(out, HasSubstr("[1, 1000]"));
#if !defined(__SANITIZE_ADDRESS__)  // AddressSanitizer's shadow memory alone is larger
  rusage usage{};
  ASSERT_EQ(::getrusage(RUSAGE_CHILDREN, &usage), 0);
  EXPECT_LT(usage.ru_maxrss, 100 * 1024) << "peak resident KiB of `ember summary`";
#endif
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
    const pid_t pid = spawn_cli(recipe + run.string(), dir_ / "out.txt");
    if (signal == SIGKILL) {  // after the first checkpoint (a run killed before it has nothing to resume)
      for (int i = 0; i < 6000 && !fs::exists(run / "last.safetensors"); ++i) ::usleep(10000);
    } else {  // as soon as the first line is logged: inside the first epoch
      for (int i = 0; i < 6000 && bytes_of(run / "train.log").find("run folder") == std::string::npos; ++i) ::usleep(10000);
    }
    ::kill(pid, signal);
    wait_status(pid);
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
  EXPECT_THAT(ember_cli("train --model resnet9000").second, HasSubstr("unknown model 'resnet9000'; registered models: alexnet, autoencoder, dcgan, densenet121, googlenet, gpt, gru, lenet5, lstm, mlp"));
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

// Each line of metrics.jsonl, parsed.
std::vector<nlohmann::json> metrics_of(const fs::path& run) {
  std::vector<nlohmann::json> rows;
  std::ifstream in(run / "metrics.jsonl");
  for (std::string line; std::getline(in, line);) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

// Validation every epoch by default: in the epoch lines, metrics.jsonl and the choice of best.safetensors.
TEST_F(Cli, ValidationEveryEpochByDefault) {
  const auto [status, out] = ember_cli("train --dataset synthetic --model mlp --epochs 2 --quiet --out " + dir_.string());
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("epoch 1/2  lr"));
  EXPECT_THAT(out, ::testing::ContainsRegex("epoch 1/2 .* val_loss [0-9.]+  val_acc [0-9.]+"));
  for (const auto& row : metrics_of(dir_)) EXPECT_TRUE(row["val_loss"].is_number()) << row.dump();
  nlohmann::json config;
  std::ifstream(dir_ / "config.json") >> config;
  EXPECT_EQ(config["val_split"].get<double>(), 0.1);
}

// --resume --epochs N extends a finished run; schedules built for the total say that they cannot be.
TEST_F(Cli, ResumeExtendsARunWhoseScheduleAllowsIt) {
  const std::string recipe = "train --dataset synthetic --model mlp --optimizer sgd --lr 0.1 --scheduler step --step-size 1 "
                             "--gamma 0.5 --threads 1 --quiet --epochs ";
  ASSERT_EQ(ember_cli(recipe + "4 --out " + (dir_ / "straight").string()).first, 0);
  ASSERT_EQ(ember_cli(recipe + "2 --out " + (dir_ / "run").string()).first, 0);
  EXPECT_THAT(ember_cli("train --resume " + (dir_ / "run").string()).second, HasSubstr("has finished its 2 epochs; extend it"));
  const auto [status, out] = ember_cli("train --resume " + (dir_ / "run").string() + " --epochs 4 --quiet");
  ASSERT_EQ(status, 0) << out;
  const auto straight = metrics_of(dir_ / "straight"), extended = metrics_of(dir_ / "run");
  ASSERT_EQ(extended.size(), 4u);
  for (size_t e = 0; e < 4; ++e) EXPECT_EQ(extended[e]["lr"], straight[e]["lr"]) << "epoch " << e + 1;
  EXPECT_EQ(bytes_of(dir_ / "run" / "last.safetensors"), bytes_of(dir_ / "straight" / "last.safetensors"));
  ASSERT_EQ(ember_cli("train --dataset synthetic --model mlp --epochs 1 --quiet --out " + (dir_ / "onecycle").string()).first, 0);
  EXPECT_THAT(ember_cli("train --resume " + (dir_ / "onecycle").string() + " --epochs 3").second,
              HasSubstr("cannot be extended: its onecycle schedule spans exactly 1 epoch"));
}

// A run that failed inside its first epoch starts again in its folder with --restart (and new flags).
TEST_F(Cli, RestartAFailedRunInItsFolder) {
  const auto [status, out] = ember_cli("train --model mlp --dataset synthetic --optimizer sgd --lr 900 --momentum 0.99 "
                                       "--epochs 2 --quiet --out " + dir_.string());
  ASSERT_EQ(status, 1);
  EXPECT_THAT(out, HasSubstr("start it again with: ember train --restart " + dir_.string()));
  EXPECT_THAT(ember_cli("train --resume " + dir_.string()).second, HasSubstr("ember train --restart " + dir_.string()));
  const auto [again, again_out] = ember_cli("train --restart " + dir_.string() + " --lr 0.05 --quiet");
  ASSERT_EQ(again, 0) << again_out;
  EXPECT_EQ(metrics_of(dir_).size(), 2u);
  nlohmann::json config;
  std::ifstream(dir_ / "config.json") >> config;
  EXPECT_EQ(config["lr"].get<double>(), 0.05);
  EXPECT_EQ(config["optimizer"], "sgd");
}

// --config reads every setting from JSON (a run's own config.json included); flags override it.
TEST_F(Cli, ConfigFileWithFlagOverrides) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "run.json") << R"({"model": "mlp", "dataset": "synthetic", "epochs": 3, "optimizer": "radam",
                                         "scheduler": "none", "lr": 0.0123456789, "nesterov": false})";
  const auto [status, out] = ember_cli("train --config " + (dir_ / "run.json").string() + " --epochs 1 --quiet --out " +
                                       (dir_ / "a").string());
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("on synthetic, 1 epoch, run folder"));
  nlohmann::json config;
  std::ifstream(dir_ / "a" / "config.json") >> config;
  EXPECT_EQ(config["lr"].get<double>(), 0.0123456789);  // found by the run_config fuzz target: it was 0.0123457
  const auto [copy, copy_out] = ember_cli("train --config " + (dir_ / "a" / "config.json").string() + " --quiet --out " +
                                          (dir_ / "b").string());
  ASSERT_EQ(copy, 0) << copy_out;
  EXPECT_EQ(bytes_of(dir_ / "a" / "last.safetensors"), bytes_of(dir_ / "b" / "last.safetensors"));
  std::ofstream(dir_ / "typo.json") << R"({"model": "mlp", "learning_rate": 0.1})";
  EXPECT_THAT(ember_cli("train --config " + (dir_ / "typo.json").string()).second,
              HasSubstr("has an unknown setting 'learning_rate'"));
  std::ofstream(dir_ / "bad.json") << R"({"epochs": "ten"})";
  EXPECT_THAT(ember_cli("train --config " + (dir_ / "bad.json").string()).second, HasSubstr("setting 'epochs' should be an integer"));
}

TEST_F(Cli, EveryOptimizerOfTheLibraryTrains) {
  for (const char* name : {"sgd", "adam", "adamw", "nadam", "radam", "rmsprop", "adagrad", "adadelta", "rprop", "asgd"}) {
    const auto [status, out] = ember_cli(std::string("train --dataset synthetic --model mlp --epochs 1 --quiet --optimizer ") +
                                         name + " --out " + (dir_ / name).string());
    EXPECT_EQ(status, 0) << name << ": " << out;
  }
  EXPECT_THAT(ember_cli("train --optimizer lamb").second, HasSubstr("known optimizers: sgd, adam, adamw, nadam, radam"));
}

TEST_F(Cli, HelpAndVersion) {
  for (const char* command : {"train -h", "train --help", "help train"}) {
    const auto [status, out] = ember_cli(command);
    EXPECT_EQ(status, 0) << command;
    EXPECT_THAT(out, HasSubstr("usage: ember train [flags]")) << command;
    EXPECT_THAT(out, HasSubstr("--resume")) << command;
  }
  const auto [status, out] = ember_cli("--version");
  EXPECT_EQ(status, 0);
  EXPECT_THAT(out, ::testing::StartsWith("ember "));
  EXPECT_THAT(ember_cli("-h").second, HasSubstr("usage: ember <command>"));
}

// Without a terminal (a pipe, a log file) long epochs still show progress every few seconds.
TEST_F(Cli, ProgressLinesWhenStdoutIsNotATerminal) {
  const auto [status, out] = ember_cli("train --dataset synthetic --model mlp --epochs 1 --threads 1 --progress-every 0.000001 "
                                       "--out " + dir_.string());
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, ::testing::ContainsRegex("  epoch 1/1  batch [0-9]+/29  loss [0-9.]+  acc [0-9.]+  [0-9]+ samples/s"));
  EXPECT_THAT(ember_cli("train --dataset synthetic --model mlp --epochs 1 --quiet --out " + (dir_ / "q").string()).second,
              ::testing::Not(HasSubstr("batch ")));
}

// eval: the split, the batch size and threads; --data-root is honoured; runs store absolute paths.
TEST_F(Cli, EvalSplitsFlagsAndDataRoot) {
  fs::create_directories(dir_ / "data");
  {
    std::ofstream csv(dir_ / "data" / "t.csv");
    csv << "x,y,label\n";
    for (int i = 0; i < 200; ++i) csv << i % 7 << "," << (i * 3) % 11 << "," << (i % 7 > 3) << "\n";
  }
  const auto [status, out] = ember_cli_command("cd " + dir_.string() + " && " + EMBER_CLI +
                                               " train --dataset csv --data-root data/t.csv --target label --model mlp "
                                               "--epochs 2 --quiet --out run");
  ASSERT_EQ(status, 0) << out;
  const std::string best = (dir_ / "run" / "best.safetensors").string();
  const auto [eval_status, eval_out] = ember_cli("eval --checkpoint " + best + " --batch-size 7 --threads 1");  // from elsewhere
  ASSERT_EQ(eval_status, 0) << eval_out;
  EXPECT_THAT(eval_out, HasSubstr("test split (40 examples)"));
  EXPECT_THAT(eval_out, ::testing::ContainsRegex("columns: predicted class\\)\n +0 +1\n +0 "));
  EXPECT_THAT(eval_out, ::testing::Not(HasSubstr("ember eval: ember eval")));
  EXPECT_TRUE(fs::exists(dir_ / "run" / "confusion.png"));
  EXPECT_THAT(ember_cli("eval --checkpoint " + best + " --split val").second, HasSubstr("val split (16 examples)"));
  EXPECT_THAT(ember_cli("eval --checkpoint " + best + " --split train").second, HasSubstr("train split (144 examples)"));
  EXPECT_THAT(ember_cli("eval --checkpoint " + best + " --split dev").second, HasSubstr("--split: 'dev' should be train"));
  fs::rename(dir_ / "data" / "t.csv", dir_ / "moved.csv");  // the stored root is gone; --data-root points to it
  EXPECT_EQ(ember_cli("eval --checkpoint " + best).first, 1);
  EXPECT_THAT(ember_cli("eval --checkpoint " + best + " --data-root " + (dir_ / "moved.csv").string()).second,
              HasSubstr("test split (40 examples)"));
  EXPECT_THAT(ember_cli("eval").second, HasSubstr("ember eval: --checkpoint FILE is required"));
}

// Sequence models report token accuracy, without a per-class table of the vocabulary.
TEST_F(Cli, EvalOfASequenceModelReportsTokenAccuracy) {
  ASSERT_EQ(ember_cli("train --model gpt --dataset text --seq-len 16 --epochs 1 --batch-size 16 --threads 1 --quiet --out " +
                      dir_.string()).first, 0);
  const auto [status, out] = ember_cli("eval --checkpoint " + (dir_ / "last.safetensors").string());
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("token accuracy"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("per-class")));
}

// Writes an IDX file: magic, sizes, then bytes.
// A test split whose examples differ in shape from the training ones is refused before training,
// and train.log says so too.
TEST_F(Cli, TestSplitOfAnotherShapeIsRefusedBeforeTraining) {
  fs::create_directories(dir_);
  write_idx(dir_ / "train-images-idx3-ubyte", {20, 28, 28}, 7);
  write_idx(dir_ / "train-labels-idx1-ubyte", {20}, 0);
  write_idx(dir_ / "t10k-images-idx3-ubyte", {10, 14, 14}, 7);
  write_idx(dir_ / "t10k-labels-idx1-ubyte", {10}, 0);
  const auto [status, out] = ember_cli("train --dataset mnist --data-root " + dir_.string() + " --model mlp --out " +
                                       (dir_ / "run").string());
  EXPECT_EQ(status, 1);
  EXPECT_THAT(out, HasSubstr("both splits must match"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("epoch 1/")));
  std::ifstream log(dir_ / "run" / "train.log");
  const std::string logged((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_THAT(logged, HasSubstr("ember train: --dataset mnist: test examples have shape [1, 14, 14] but training "
                                "examples have shape [1, 28, 28]; both splits must match"));
  EXPECT_THAT(logged, ::testing::Not(HasSubstr("epoch 1/")));
}

TEST_F(Cli, SummaryOfTokenModelsNeedsNoInput) {
  const auto [status, out] = ember_cli("summary --model gpt");
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("total parameters:      809856"));  // docs/MODELS.md
  EXPECT_THAT(out, HasSubstr("MMACs"));
  EXPECT_THAT(out, HasSubstr(" MiB"));
}

}  // namespace
