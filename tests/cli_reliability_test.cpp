// `ember train` and `ember eval` under faults and misuse: stop signals at
// random times, full disks, two processes on one run folder, malformed
// checkpoint metadata, absurd class counts. Each case failed before its fix.
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <random>

#include "cli_helpers.h"

using ::testing::HasSubstr;
using ::testing::Not;
using namespace ember_test;

namespace {

using Reliability = CliTest;

// A run that trains long enough to be interrupted: the reference MLP on Fashion-MNIST.
const std::string kLongRun = "train --model mlp --epochs 3 --threads 1 --quiet --out ";

// Ctrl-C at random times, on a run whose time is spent in oneDNN's float32
// GEMM: each run exits 130 with a checkpoint that loads. (A signal handler
// running on the compute thread corrupted the heap in about a third of runs.)
TEST_F(Reliability, CtrlCAtRandomTimesAlwaysLeavesALoadableCheckpoint) {
  std::mt19937 random(1234);
  std::uniform_int_distribution<int> delay_ms(50, 1200);
  for (int i = 0; i < 12; ++i) {
    const fs::path run = dir_ / ("run" + std::to_string(i));
    const pid_t pid = spawn_cli(kLongRun + run.string(), dir_ / ("out" + std::to_string(i)));
    ASSERT_TRUE(wait_for_text(run / "train.log", "run folder"));
    ::usleep(static_cast<useconds_t>(delay_ms(random)) * 1000);
    ::kill(pid, SIGINT);
    ASSERT_EQ(wait_status(pid), 130) << "run " << i << ": " << bytes_of(dir_ / ("out" + std::to_string(i)));
    ember::Metadata meta;
    EXPECT_NO_THROW(ember::load((run / "last.safetensors").string(), &meta)) << "run " << i;
    EXPECT_TRUE(meta.count("partial.batch") || meta.count("epoch")) << "run " << i;
  }
}

// SIGTERM (schedulers, cluster managers) and SIGHUP checkpoint mid-epoch as Ctrl-C does.
TEST_F(Reliability, SigtermAndSighupCheckpointLikeCtrlC) {
  for (const auto& [signal, name, status] : {std::tuple{SIGTERM, "SIGTERM", 143}, std::tuple{SIGHUP, "SIGHUP", 129}}) {
    const fs::path run = dir_ / name;
    const pid_t pid = spawn_cli(kLongRun + run.string(), dir_ / "out");
    ASSERT_TRUE(wait_for_text(run / "train.log", "run folder"));
    ::usleep(300000);
    ::kill(pid, signal);
    EXPECT_EQ(wait_status(pid), status) << name;
    EXPECT_THAT(bytes_of(run / "train.log"), HasSubstr(std::string("interrupted (") + name + ") after batch"));
    EXPECT_THAT(bytes_of(run / "train.log"), HasSubstr("continue with: ember train --resume"));
    EXPECT_TRUE(fs::exists(run / "last.safetensors")) << name;
  }
}

// Two processes never share a run folder: the second is told who holds it.
TEST_F(Reliability, ASecondProcessOnARunFolderIsRefusedNamingTheHolder) {
  const fs::path run = dir_ / "run";
  const pid_t pid = spawn_cli(kLongRun + run.string(), dir_ / "out");
  ASSERT_TRUE(wait_for_text(run / "train.log", "run folder"));
  const std::string holder = "(pid " + std::to_string(pid) + ")";
  const auto [again, again_out] = ember_cli("train --model mlp --epochs 1 --out " + run.string());
  EXPECT_EQ(again, 1);
  EXPECT_THAT(again_out, HasSubstr("is in use by another ember process " + holder));
  ::kill(pid, SIGINT);
  EXPECT_EQ(wait_status(pid), 130);
  // While a resume runs, a second resume is refused the same way.
  const pid_t resumed = spawn_cli("train --resume " + run.string(), dir_ / "out2");
  ASSERT_TRUE(wait_for_text(run / "train.log", "resuming epoch"));
  const auto [second, second_out] = ember_cli("train --resume " + run.string());
  EXPECT_EQ(second, 1);
  EXPECT_THAT(second_out, HasSubstr("is in use by another ember process (pid " + std::to_string(resumed) + ")"));
  ::kill(resumed, SIGKILL);
  wait_status(resumed);
}

// A folder holding any run file is not written into; temporaries of a killed run are removed on start.
TEST_F(Reliability, RunFilesAreNeverOverwrittenAndStaleTemporariesAreCleaned) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "best.safetensors") << "x";
  const auto [status, out] = ember_cli("train --dataset synthetic --model mlp --epochs 1 --out " + dir_.string());
  EXPECT_EQ(status, 1);
  EXPECT_THAT(out, HasSubstr("already holds a run (best.safetensors)"));
  EXPECT_EQ(bytes_of(dir_ / "best.safetensors"), "x");
  fs::remove(dir_ / "best.safetensors");
  std::ofstream(dir_ / "last.safetensors.tmp.Ab12Cd") << "half a checkpoint";
  ASSERT_EQ(ember_cli("train --dataset synthetic --model mlp --epochs 1 --quiet --out " + dir_.string()).first, 0);
  EXPECT_FALSE(fs::exists(dir_ / "last.safetensors.tmp.Ab12Cd"));
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();
}

// Rewrites one metadata entry of a checkpoint.
void set_metadata(const fs::path& checkpoint, const std::string& key, const std::string& value) {
  ember::Metadata meta;
  const ember::nn::StateDict tensors = ember::load(checkpoint.string(), &meta);
  meta[key] = value;
  ember::save(tensors, checkpoint.string(), meta);
}

// Malformed metadata is an error naming the key and the file, never an uncaught exception.
TEST_F(Reliability, NonNumericCheckpointMetadataIsAClearError) {
  const fs::path run = dir_ / "run";
  ASSERT_EQ(ember_cli("train --dataset synthetic --model mlp --epochs 2 --scheduler step --quiet --out " + run.string()).first, 0);
  const fs::path last = run / "last.safetensors";
  const std::string original = bytes_of(last);
  set_metadata(last, "seq_len", "abc");
  auto [status, out] = ember_cli("eval --checkpoint " + last.string());
  EXPECT_EQ(status, 1);
  EXPECT_THAT(out, HasSubstr("checkpoint " + last.string() + ": metadata 'seq_len' should be an integer, got 'abc'"));
  for (const auto& [key, value] : {std::pair{"epoch", "two"}, std::pair{"scheduler.last_epoch", "x1"},
                                   std::pair{"rng.offset", "-5"}, std::pair{"partial.batch", "1e3"}}) {
    std::ofstream(last, std::ios::binary) << original;
    set_metadata(last, key, value);
    std::tie(status, out) = ember_cli("train --resume " + run.string() + " --epochs 3 --quiet");
    EXPECT_EQ(status, 1) << key << ": " << out;
    EXPECT_THAT(out, HasSubstr(last.string())) << key;
    EXPECT_THAT(out, HasSubstr("'" + std::string(key == std::string("scheduler.last_epoch") ? "last_epoch" : key) + "'"))
        << key << ": " << out;
    EXPECT_THAT(out, Not(HasSubstr("stoll"))) << key;
  }
}

// A CSV label of 10^9 is refused up front instead of allocating a billion-way classifier.
TEST_F(Reliability, AbsurdClassCountIsRefusedWithAClearError) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "t.csv") << "a,b,label\n1,2,0\n3,4,1\n5,6,1000000000\n7,8,1\n9,1,0\n";
  const auto [status, out] = ember_cli("train --dataset csv --data-root " + (dir_ / "t.csv").string() +
                                       " --target label --model mlp --out " + (dir_ / "run").string());
  EXPECT_EQ(status, 1);
  EXPECT_THAT(out, HasSubstr("name 1000000001 classes (the largest class id is 1000000000)"));
  EXPECT_THAT(out, HasSubstr("--max-classes"));
  EXPECT_FALSE(fs::exists(dir_ / "run"));
}

// Runs `script` as root of a private mount namespace (a tmpfs of `size` at `dir`); false when that is impossible here.
bool in_tmpfs(const fs::path& dir, const std::string& size, const std::string& script, std::pair<int, std::string>* out) {
  fs::create_directories(dir);
  if (ember_cli_command("unshare -rm sh -c 'mount -t tmpfs -o size=1m tmpfs " + dir.string() + "'").first != 0) return false;
  *out = ember_cli_command("unshare -rm sh -c 'mount -t tmpfs -o size=" + size + " tmpfs " + dir.string() + " && " +
                           script + "'");
  return true;
}

// A disk too small for the checkpoints fails before training, naming the folder.
TEST_F(Reliability, AFullDiskBeforeTheStartFailsBeforeTraining) {
  std::pair<int, std::string> result;
  const fs::path disk = dir_ / "disk";
  if (!in_tmpfs(disk, "64k", std::string(EMBER_CLI) + " " + kLongRun + (disk / "run").string(), &result))
    GTEST_SKIP() << "no private tmpfs mounts here (unshare -rm)";
  EXPECT_EQ(result.first, 1) << result.second;
  EXPECT_THAT(result.second, HasSubstr("bytes are free on its filesystem"));
  EXPECT_THAT(result.second, Not(HasSubstr("epoch 1/")));
}

// The disk filling up during a run: a non-zero exit naming the file, and no half-written file in the folder.
TEST_F(Reliability, ADiskThatFillsDuringTheRunFailsNamingTheFile) {
  std::pair<int, std::string> result;
  const fs::path disk = dir_ / "disk", run = disk / "run";
  const std::string script = std::string(EMBER_CLI) + " train --dataset synthetic --model mlp --epochs 200 --quiet --out " +
                             run.string() + " & pid=$!; while [ ! -s " + (run / "last.safetensors").string() +
                             " ]; do sleep 0.01; done; dd if=/dev/zero of=" + (disk / "filler").string() +
                             " bs=64k 2>/dev/null; wait $pid; echo exit=$?; ls " + run.string() +
                             "; for f in " + run.string() + "/*; do [ -s $f ] || echo EMPTY $f; done";
  if (!in_tmpfs(disk, "8m", script, &result)) GTEST_SKIP() << "no private tmpfs mounts here (unshare -rm)";
  EXPECT_THAT(result.second, HasSubstr("exit=1")) << result.second;
  // Whichever write meets the full disk first (the log, the metrics, a checkpoint) is named.
  EXPECT_THAT(result.second, HasSubstr("cannot write " + run.string() + "/")) << result.second;
  EXPECT_THAT(result.second, Not(HasSubstr("EMPTY"))) << result.second;
  EXPECT_THAT(result.second, Not(HasSubstr(".tmp."))) << result.second;
}

}  // namespace
