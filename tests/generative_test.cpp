// The generative zoo: the autoencoder and DCGAN models, the adversarial
// training loop (checkpointed and resumed exactly), image grids, and both
// trained end to end by train::Run on a tiny IDX dataset.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_helpers.h"
#include "ember/ember.h"

#include <stb/stb_image.h>  // the decoder Ember's ImageFolder links in

namespace ember {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

TEST(Generative, AutoencoderReconstructsItsInputShape) {
  auto model = models::create("autoencoder", {.input = {1, 28, 28}});
  EXPECT_NE(dynamic_cast<models::Reconstructor*>(model.get()), nullptr);
  const Tensor x = rand({3, 1, 28, 28});
  const Tensor y = (*model)(x);
  EXPECT_EQ(y.sizes(), x.sizes());
  EXPECT_GE(y.min().item<double>(), 0.0);
  EXPECT_LE(y.max().item<double>(), 1.0);
  const auto params = model->named_parameters();
  EXPECT_EQ(params.front().first, "encoder.0.weight");
  EXPECT_EQ(params.back().first, "decoder.6.bias");
  EXPECT_EQ(models::autoencoder({.input = {3, 32, 32}}, 16)->forward(rand({2, 3, 32, 32})).sizes(), (Shape{2, 3, 32, 32}));
  EXPECT_THAT([] { models::create("autoencoder", {.input = {1, 30, 30}}); },
              ::testing::ThrowsMessage<Error>(HasSubstr("autoencoder: the image sides must be multiples of 4")));
}

TEST(Generative, DcganPartsAndInitialisation) {
  auto model = models::create("dcgan", {.input = {1, 28, 28}});
  auto* pair = dynamic_cast<models::AdversarialPair*>(model.get());
  ASSERT_NE(pair, nullptr);
  EXPECT_EQ(pair->latent_size(), 100);
  const Tensor images = pair->generator()(randn({4, 100}));
  EXPECT_EQ(images.sizes(), (Shape{4, 1, 28, 28}));
  EXPECT_LE(images.abs().max().item<double>(), 1.0);
  EXPECT_EQ(pair->discriminator()(images).sizes(), (Shape{4, 1}));
  EXPECT_TRUE(equal((*model)(images), pair->discriminator()(images)));  // forward is the discriminator
  // N(0, 0.02) weights, N(1, 0.02) batch-norm scales, as the DCGAN paper.
  for (const auto& [name, p] : model->named_parameters()) {
    if (name == "generator.4.weight") {
      EXPECT_NEAR(p.std().item<double>(), 0.02, 0.002) << name;
    }
    if (name == "discriminator.3.weight") {
      EXPECT_NEAR(p.mean().item<double>(), 1.0, 0.01) << name;
    }
  }
  EXPECT_THAT([] { models::dcgan({.input = {1, 28, 28}}, 0); },
              ::testing::ThrowsMessage<Error>(HasSubstr("dcgan: latent_size and width must be positive")));
}

// A tiny image set: 48 images (1, 8, 8) of two kinds (bright top half, bright bottom half).
data::DatasetPtr tiny_images() {
  Tensor images = zeros({48, 1, 8, 8});
  for (int64_t i = 0; i < 48; ++i) images[i].narrow(1, i % 2 ? 4 : 0, 4).fill_(0.9);
  return std::make_shared<data::TensorDataset>(images, zeros({48}, {.dtype = kInt64}));
}

struct Gan {
  std::shared_ptr<nn::Module> model = models::dcgan({.input = {1, 8, 8}}, 8, 4);
  models::AdversarialPair& pair = dynamic_cast<models::AdversarialPair&>(*model);
  optim::Adam g{pair.generator().parameters(), {.lr = 2e-3, .beta1 = 0.5}};
  optim::Adam d{pair.discriminator().parameters(), {.lr = 2e-3, .beta1 = 0.5}};
  optim::EarlyStopping stopper;
  train::RunState state() { return {model.get(), &g, nullptr, nullptr, &stopper, &d}; }
};

TEST(Generative, AdversarialTrainingCheckpointsAndResumesExactly) {
  auto loader = [] { return data::DataLoader(tiny_images(), {.batch_size = 16, .shuffle = true, .seed = 5}); };
  manual_seed(1);
  Gan straight;
  auto straight_loader = loader();
  const auto history = train::fit_adversarial(*straight.model, straight.g, straight.d, straight_loader, {.epochs = 3});
  ASSERT_EQ(history.size(), 3u);
  for (const auto& m : history) {
    EXPECT_TRUE(m.extra.count("d_loss"));
    EXPECT_GE(m.train_acc, 0.0);
    EXPECT_LE(m.train_acc, 1.0);
    EXPECT_GT(m.train_loss, 0.0);
  }

  // The same run stopped after epoch 1's second batch, checkpointed, and continued in fresh objects.
  const fs::path file = fs::temp_directory_path() / ("ember_gan_" + std::to_string(::getpid()) + ".safetensors");
  manual_seed(1);
  {
    Gan first;
    auto first_loader = loader();
    int batches = 0;
    train::fit_adversarial(*first.model, first.g, first.d, first_loader,
                           {.epochs = 3,
                            .interrupted = [&] { return ++batches == 5; },
                            .on_interrupt = [&](const train::EpochProgress& p) {
                              train::save_checkpoint(file.string(), first.state(), {{"model", "dcgan"}, {"epoch", "1"}}, p);
                            }});
  }
  manual_seed(99);  // the checkpoint puts the random stream back
  Gan resumed;
  const train::Restored restored = train::load_checkpoint(file.string(), resumed.state(), "dcgan");
  ASSERT_TRUE(restored.progress);
  EXPECT_EQ(restored.progress->batch, 2);
  auto resumed_loader = loader();
  const auto rest = train::fit_adversarial(*resumed.model, resumed.g, resumed.d, resumed_loader,
                                           {.epochs = 3, .start_epoch = 1, .resume_progress = restored.progress});
  fs::remove(file);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest.back().train_loss, history.back().train_loss);
  EXPECT_EQ(rest.back().extra.at("d_loss"), history.back().extra.at("d_loss"));
  const auto a = straight.model->state_dict(), b = resumed.model->state_dict();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(equal(a[i].second, b[i].second)) << a[i].first;
}

TEST(Generative, GeneratedImagesAndTheirEvaluation) {
  Gan gan;
  Generator g1(4), g2(4);
  const Tensor a = train::generate_images(*gan.model, 6, g1), b = train::generate_images(*gan.model, 6, g2);
  EXPECT_EQ(a.sizes(), (Shape{6, 1, 8, 8}));
  EXPECT_TRUE(equal(a, b));  // the same noise, the same images (eval mode: no batch dependence)
  EXPECT_GE(a.min().item<double>(), 0.0);
  EXPECT_LE(a.max().item<double>(), 1.0);
  EXPECT_TRUE(gan.model->is_training());
  data::DataLoader loader(tiny_images(), {.batch_size = 16});
  const train::EvalResult r = train::evaluate_adversarial(*gan.model, loader, &g1);
  EXPECT_GT(r.loss, 0.0);
  EXPECT_GE(r.accuracy, 0.0);
  EXPECT_LE(r.accuracy, 1.0);
  nn::Linear not_a_pair(2, 2);
  EXPECT_THAT([&] { train::generate_images(not_a_pair, 1, g1); },
              ::testing::ThrowsMessage<Error>(HasSubstr("generate_images: Linear is not an adversarial pair")));
}

TEST(Generative, ImageGridAsTorchvisionLaysItOut) {
  // Three 1x2x3 images of values 0.25, 0.5 and 1.5 (clamped), two per row, padding 2 of 0.
  Tensor images = stack({full({1, 2, 3}, 0.25), full({1, 2, 3}, 0.5), full({1, 2, 3}, 1.5)});
  const Tensor grid = make_grid(images, 2, 2);
  EXPECT_EQ(grid.sizes(), (Shape{1, 2 * 4 + 2, 2 * 5 + 2}));
  EXPECT_EQ(grid[0][2][2].item<double>(), 0.25);
  EXPECT_EQ(grid[0][2][7].item<double>(), 0.5);
  EXPECT_EQ(grid[0][6][2].item<double>(), 1.5);
  EXPECT_EQ(grid[0][6][7].item<double>(), 0.0);  // the empty fourth cell
  const fs::path path = fs::temp_directory_path() / ("ember_grid_" + std::to_string(::getpid()) + ".png");
  const Tensor strided = images.transpose(2, 3).contiguous().transpose(2, 3);  // the same values, not contiguous
  ASSERT_FALSE(strided.is_contiguous());
  save_image(strided, path.string(), 2, 2);
  const std::string png = ember_test::bytes_of(path);
  fs::remove(path);
  int w = 0, h = 0, channels = 0;
  unsigned char* pixels = stbi_load_from_memory(reinterpret_cast<const unsigned char*>(png.data()),
                                                static_cast<int>(png.size()), &w, &h, &channels, 0);
  ASSERT_NE(pixels, nullptr);
  EXPECT_EQ(w, 12);
  EXPECT_EQ(h, 10);
  EXPECT_EQ(channels, 1);
  // x * 255 + 0.5, truncated: 0.25 -> 64, 0.5 -> 128, clamped 1.5 -> 255; padding 0.
  EXPECT_EQ(pixels[2 * w + 2], 64);
  EXPECT_EQ(pixels[2 * w + 7], 128);
  EXPECT_EQ(pixels[6 * w + 2], 255);
  EXPECT_EQ(pixels[0], 0);
  stbi_image_free(pixels);
  EXPECT_THAT([] { save_image(zeros({2, 2, 4, 4}), "x.png"); },
              ::testing::ThrowsMessage<Error>(HasSubstr("make_grid: expected images (N, C, H, W) with N > 0 and C 1 or 3")));
}

// ---- end to end through `ember train`, on 64 training and 16 test images of an IDX set ----

class CliGenerative : public ember_test::CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    ember_test::write_idx(dir_ / "train-images-idx3-ubyte", {64, 28, 28}, 90);
    ember_test::write_idx(dir_ / "train-labels-idx1-ubyte", {64}, 0);
    ember_test::write_idx(dir_ / "t10k-images-idx3-ubyte", {16, 28, 28}, 90);
    ember_test::write_idx(dir_ / "t10k-labels-idx1-ubyte", {16}, 0);
  }
  std::string train(const std::string& flags) const {
    return "train --dataset mnist --data-root " + dir_.string() + " --batch-size 16 --threads 1 --quiet " + flags;
  }
};

nlohmann::json config_of(const fs::path& run) {
  nlohmann::json config;
  std::ifstream(run / "config.json") >> config;
  return config;
}

TEST_F(CliGenerative, AutoencoderTrainsOnReconstructionAndDrawsThem) {
  const fs::path run = dir_ / "ae";
  const auto [status, out] = ember_test::ember_cli(train("--model autoencoder --epochs 2 --out " + run.string()));
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, ::testing::ContainsRegex("epoch 2/2  lr 0.0010  train_loss [0-9.]+  val_loss [0-9.]+  "));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("train_acc")));
  EXPECT_THAT(out, HasSubstr("images: " + (run / "images" / "epoch-002.png").string()));
  EXPECT_THAT(out, ::testing::ContainsRegex("test_loss [0-9.]+ \\(reconstruction MSE\\)"));
  EXPECT_TRUE(fs::exists(run / "images" / "epoch-001.png"));
  const auto config = config_of(run);
  EXPECT_EQ(config["optimizer"], "adam");  // the model's recipe
  EXPECT_EQ(config["scheduler"], "none");
  const auto [eval_status, eval_out] = ember_test::ember_cli("eval --checkpoint " + (run / "last.safetensors").string());
  EXPECT_EQ(eval_status, 0) << eval_out;
  EXPECT_THAT(eval_out, ::testing::ContainsRegex("test split \\(16 examples\\): reconstruction MSE [0-9.]+"));
}

TEST_F(CliGenerative, DcganTrainsTwoOptimizersAndResumes) {
  const fs::path run = dir_ / "gan";
  const auto [status, out] = ember_test::ember_cli(train("--model dcgan --epochs 1 --out " + run.string()));
  ASSERT_EQ(status, 0) << out;
  EXPECT_THAT(out, ::testing::ContainsRegex("epoch 1/1  lr 0.0002  g_loss [0-9.]+  d_loss [0-9.]+  d_acc [0-9.]+"));
  EXPECT_THAT(out, ::testing::ContainsRegex("test: discriminator loss [0-9.]+  accuracy [0-9.]+"));
  EXPECT_TRUE(fs::exists(run / "images" / "epoch-001.png"));
  const auto config = config_of(run);
  EXPECT_EQ(config["lr"], 0.0002);
  EXPECT_EQ(config["momentum"], 0.5);
  EXPECT_EQ(config["val_split"], 0.0);
  bool discriminator_state = false;
  for (const auto& [k, v] : load((run / "last.safetensors").string()))
    discriminator_state |= k.rfind("discriminator_optimizer.", 0) == 0;
  EXPECT_TRUE(discriminator_state);
  const auto [resume_status, resume_out] = ember_test::ember_cli("train --resume " + run.string() + " --epochs 2 --quiet");
  ASSERT_EQ(resume_status, 0) << resume_out;
  EXPECT_THAT(resume_out, HasSubstr("epoch 2/2"));
  std::ifstream metrics(run / "metrics.jsonl");
  std::string line;
  std::getline(metrics, line);
  EXPECT_THAT(line, HasSubstr("\"d_loss\":"));
  const auto [eval_status, eval_out] = ember_test::ember_cli("eval --checkpoint " + (run / "last.safetensors").string());
  EXPECT_EQ(eval_status, 0) << eval_out;
  EXPECT_THAT(eval_out, ::testing::ContainsRegex("generated\\): discriminator loss [0-9.]+  accuracy [0-9.]+"));
  EXPECT_THAT(ember_test::ember_cli(train("--model dcgan --scheduler onecycle --out " + (dir_ / "x").string())).second,
              HasSubstr("--scheduler onecycle: dcgan trains at a constant learning rate (--scheduler none)"));
  EXPECT_THAT(ember_test::ember_cli(train("--model dcgan --val-split 0.1 --out " + (dir_ / "y").string())).second,
              HasSubstr("--val-split: dcgan has no validation loss to watch"));
}

}  // namespace
}  // namespace ember
