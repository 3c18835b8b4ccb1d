// train::Run as a library object: a run from a config leaves its files in its
// folder; a run stopped mid-epoch by its caller resumes to the same weights as
// an uninterrupted run.
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace ember;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

class RunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ember-run-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static train::RunConfig small_run() {
    train::RunConfig c;
    c.model = "mlp", c.dataset = "synthetic", c.epochs = 2, c.batch_size = 32, c.scheduler = "step", c.threads = 1;
    return c;
  }
  fs::path dir_;
};

std::vector<float> weights_of(nn::Module& model) {
  std::vector<float> all;
  for (const Tensor& p : model.parameters())
    for (float v : p.contiguous().to_vector<float>()) all.push_back(v);
  return all;
}

TEST_F(RunTest, LeavesItsFilesInItsFolder) {
  std::vector<std::string> lines;
  train::Run run(small_run(), {.folder = (dir_ / "run").string(),
                               .facts = {{"tool", "run_test"}},
                               .on_line = [&](const std::string& line) { lines.push_back(line); }});
  const train::RunOutcome outcome = run.train();
  ASSERT_EQ(outcome.end, train::RunOutcome::End::finished);
  EXPECT_GT(outcome.test.accuracy, 0.8);  // well-separated blobs
  for (const char* file : {"config.json", "metrics.jsonl", "train.log", "last.safetensors", "best.safetensors",
                           "curves.png", "summary.json"})
    EXPECT_TRUE(fs::exists(dir_ / "run" / file)) << file;
  ASSERT_EQ(lines.size(), 4u);  // the start, two epochs, the result
  EXPECT_THAT(lines[0], HasSubstr("mlp"));
  EXPECT_THAT(lines[3], HasSubstr("test_accuracy"));
  std::ifstream config(dir_ / "run" / "config.json");
  const std::string text((std::istreambuf_iterator<char>(config)), std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr("\"tool\": \"run_test\""));
  EXPECT_THAT(text, HasSubstr("\"batch_size\": 32"));
  // The folder is the run's while it lives.
  EXPECT_THROW(train::Run(small_run(), {.mode = train::RunFolder::Mode::resume, .folder = (dir_ / "run").string()}),
               Error);
}

TEST_F(RunTest, StoppedMidEpochResumesToTheSameWeights) {
  std::vector<float> straight;
  {
    train::Run run(small_run(), {.folder = (dir_ / "straight").string()});
    ASSERT_EQ(run.train().end, train::RunOutcome::End::finished);
    straight = weights_of(run.model());
  }
  int64_t batches = 0;
  {
    train::Run run(small_run(), {.folder = (dir_ / "stopped").string(), .interrupted = [&] { return ++batches == 3; }});
    const train::RunOutcome outcome = run.train();
    ASSERT_EQ(outcome.end, train::RunOutcome::End::interrupted);
    EXPECT_EQ(outcome.interrupted_at->epoch, 0);
    EXPECT_EQ(outcome.interrupted_at->batch, 3);
  }
  train::Run resumed(small_run(), {.mode = train::RunFolder::Mode::resume, .folder = (dir_ / "stopped").string()});
  EXPECT_EQ(resumed.epochs_done(), 0);
  ASSERT_TRUE(resumed.resume_progress());
  EXPECT_EQ(resumed.resume_progress()->batch, 3);
  ASSERT_EQ(resumed.train().end, train::RunOutcome::End::finished);
  EXPECT_EQ(weights_of(resumed.model()), straight);
}

TEST_F(RunTest, ABadConfigIsAnErrorBeforeAnyFileIsWritten) {
  train::RunConfig c = small_run();
  c.optimizer = "sgdd";
  EXPECT_THROW(train::Run(c, {.folder = (dir_ / "bad").string()}), Error);
  c = small_run();
  c.dataset = "nope";
  EXPECT_THROW(train::Run(c, {.folder = (dir_ / "bad").string()}), Error);
  EXPECT_FALSE(fs::exists(dir_ / "bad"));
}

}  // namespace
