// `ember prune` end to end: a trained checkpoint pruned by channels or by
// weights, evaluated, fine-tuned with `ember train --init-from` and resumed.
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_helpers.h"

using ::testing::HasSubstr;
using namespace ember_test;

namespace {

using CliPrune = CliTest;

const std::string kRecipe = "--dataset synthetic --model mlp --optimizer sgd --lr 0.1 --scheduler step --threads 1 --quiet ";

TEST_F(CliPrune, StructuredPruneShrinksFineTunesAndResumes) {
  ASSERT_EQ(ember_cli("train " + kRecipe + "--epochs 2 --out " + (dir_ / "base").string()).first, 0);
  const std::string pruned = (dir_ / "pruned.safetensors").string();
  const auto [status, out] = ember_cli("prune --checkpoint " + (dir_ / "base" / "best.safetensors").string() +
                                       " --amount 0.5 --structured --time-steps 1 --threads 1 --out " + pruned);
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("mlp pruned structurally (channels), amount 0.5"));
  EXPECT_THAT(out, ::testing::ContainsRegex("after +[0-9]+ +[0-9]+ +[0-9.]+ +[0-9]+ +[0-9]+"));
  EXPECT_THAT(out, HasSubstr("ember train --model mlp --dataset synthetic --init-from " + pruned));
  ember::Metadata meta;
  const ember::nn::StateDict tensors = ember::load(pruned, &meta);
  EXPECT_EQ(meta.at("channel_plan"), "{\"1\":256}");  // the 512 hidden units halved
  for (const auto& [k, v] : tensors)
    if (k == "model.5.weight") {
      EXPECT_EQ(v.sizes(), (ember::Shape{4, 256}));  // the synthetic data has 4 classes
    }

  const auto [eval_status, eval_out] = ember_cli("eval --checkpoint " + pruned);
  EXPECT_EQ(eval_status, 0) << eval_out;
  EXPECT_THAT(eval_out, HasSubstr("accuracy"));

  // Fine-tuning starts from the pruned weights in the pruned shape, and resumes in it.
  const std::string tune = (dir_ / "tune").string();
  const auto [tune_status, tune_out] = ember_cli("train " + kRecipe + "--epochs 1 --init-from " + pruned + " --out " + tune);
  ASSERT_EQ(tune_status, 0) << tune_out;
  nlohmann::json base_config, config;
  std::ifstream(dir_ / "base" / "config.json") >> base_config;
  std::ifstream(dir_ / "tune" / "config.json") >> config;
  EXPECT_LT(config["parameters"].get<int64_t>(), base_config["parameters"].get<int64_t>() * 6 / 10);
  const auto [resume_status, resume_out] = ember_cli("train --resume " + tune + " --epochs 2 --quiet");
  ASSERT_EQ(resume_status, 0) << resume_out;
  EXPECT_THAT(resume_out, HasSubstr("epoch 2/2"));
  const auto [again_status, again_out] = ember_cli("eval --checkpoint " + tune + "/last.safetensors");
  EXPECT_EQ(again_status, 0) << again_out;
}

TEST_F(CliPrune, UnstructuredPruneKeepsItsMasksThroughFineTuning) {
  ASSERT_EQ(ember_cli("train " + kRecipe + "--epochs 1 --out " + (dir_ / "base").string()).first, 0);
  const std::string pruned = (dir_ / "sparse.safetensors").string();
  const auto [status, out] = ember_cli("prune --checkpoint " + (dir_ / "base" / "last.safetensors").string() +
                                       " --amount 0.75 --time-steps 0 --out " + pruned);
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, HasSubstr("by global L1 magnitude (weights), amount 0.75"));
  const std::string tune = (dir_ / "tune").string();
  ASSERT_EQ(ember_cli("train " + kRecipe + "--epochs 1 --init-from " + pruned + " --out " + tune).first, 0);
  const ember::nn::StateDict tensors = ember::load(tune + "/last.safetensors");
  std::map<std::string, ember::Tensor> by_name(tensors.begin(), tensors.end());
  // A quarter of all the linear weights is kept (globally: the layers keep different shares), and stays so.
  ASSERT_TRUE(by_name.count("model.1.weight_mask") && by_name.count("model.5.weight_mask"));
  const ember::Tensor first = by_name.at("model.1.weight_mask"), last = by_name.at("model.5.weight_mask");
  EXPECT_EQ(first.sum().item<double>() + last.sum().item<double>(),
            std::nearbyint(0.25 * static_cast<double>(first.numel() + last.numel())));
  EXPECT_EQ((by_name.at("model.1.weight_orig") * first).ne(0.0).sum().item<int64_t>() +
                (by_name.at("model.5.weight_orig") * last).ne(0.0).sum().item<int64_t>(),
            static_cast<int64_t>(first.sum().item<double>() + last.sum().item<double>()));
  EXPECT_EQ(ember_cli("eval --checkpoint " + tune + "/last.safetensors").first, 0);
}

TEST_F(CliPrune, BadInputNamesTheProblem) {
  EXPECT_THAT(ember_cli("prune").second, HasSubstr("--checkpoint FILE is required"));
  ASSERT_EQ(ember_cli("train " + kRecipe + "--epochs 1 --out " + (dir_ / "base").string()).first, 0);
  const std::string last = (dir_ / "base" / "last.safetensors").string();
  EXPECT_THAT(ember_cli("prune --checkpoint " + last + " --out " + last).second,
              HasSubstr("is the checkpoint being pruned"));
  EXPECT_THAT(ember_cli("prune --checkpoint " + last + " --amount 1.5").second, HasSubstr("--amount: 1.5 is out of range"));
  EXPECT_THAT(ember_cli("train --dataset synthetic --model rnn --init-from " + last).second,
              HasSubstr("--init-from: " + last + " holds a mlp model, not rnn"));
  EXPECT_THAT(ember_cli("train --dataset synthetic --model mlp --init-from /nonexistent.safetensors").second,
              HasSubstr("--init-from: /nonexistent.safetensors does not exist"));
}

}  // namespace
