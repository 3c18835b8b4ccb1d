// Image transforms: exact pixels on tiny hand-checked images for every
// transform, the random ones under a seeded sample generator (same seed, same
// result; only that generator is drawn from), layouts ((C, H, W), (H, W),
// uint8 (H, W, C)), and every error message.
#include <ember/data/transforms.h>
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <utility>
#include <vector>

using namespace ember;
namespace tf = ember::data::transforms;
using ::testing::FloatNear;
using ::testing::HasSubstr;
using ::testing::Pointwise;

namespace {

#define EXPECT_ERROR(stmt, text) EXPECT_THAT([&] { stmt; }, ::testing::ThrowsMessage<Error>(::testing::HasSubstr(text)))

// (c, h, w) float32 image holding 0, 1, 2, ... in row-major order.
Tensor arange_image(int64_t c, int64_t h, int64_t w) { return arange(c * h * w, {.dtype = kFloat32}).view({c, h, w}); }

void expect_image(const Tensor& out, const std::vector<int64_t>& shape, const std::vector<float>& values) {
  ASSERT_EQ(out.sizes().vec(), shape);
  EXPECT_THAT(out.to_vector<float>(), Pointwise(FloatNear(1e-5f), values));
}

// The transform applied with sample_generator() seeded by `seed`.
Tensor with_seed(uint64_t seed, const tf::Transform& transform, const Tensor& x) {
  Generator generator(seed);
  data::SampleGeneratorScope scope(generator);
  return transform(x);
}

// ---- ToTensor and Normalize ----------------------------------------------------

TEST(Transforms, ToTensorConvertsUint8HwcToFloatChw) {
  const Tensor hwc = arange(12).mul(20).view({2, 2, 3}).to(kUInt8);  // pixel (h, w) channel c = ((2h + w) * 3 + c) * 20
  const Tensor out = tf::ToTensor()(hwc);
  EXPECT_EQ(out.dtype(), kFloat32);
  expect_image(out, {3, 2, 2},
               {0 / 255.f, 60 / 255.f, 120 / 255.f, 180 / 255.f,     // red
                20 / 255.f, 80 / 255.f, 140 / 255.f, 200 / 255.f,    // green
                40 / 255.f, 100 / 255.f, 160 / 255.f, 220 / 255.f}); // blue
}

TEST(Transforms, ToTensorAddsAChannelToUint8HwAndPassesFloat) {
  const Tensor hw = tensor({{0, 255}, {51, 102}}, {.dtype = kUInt8});
  expect_image(tf::ToTensor()(hw), {1, 2, 2}, {0.f, 1.f, 0.2f, 0.4f});
  const Tensor image = arange_image(3, 2, 2);
  EXPECT_TRUE(tf::ToTensor()(image).is_same(image));
}

TEST(Transforms, NormalizeIsPerChannel) {
  const Tensor image = tensor({{{1.0, 3.0}}, {{2.0, 6.0}}}, {.dtype = kFloat32});  // (2, 1, 2)
  const Tensor out = tf::Normalize({1.0, 2.0}, {2.0, 4.0})(image);
  EXPECT_EQ(out.dtype(), kFloat32);
  expect_image(out, {2, 1, 2}, {0.f, 1.f, 0.f, 1.f});
}

// ---- flips ----------------------------------------------------------------------

TEST(Transforms, HorizontalFlipMirrorsColumnsWithProbabilityOne) {
  const Tensor image = arange_image(1, 3, 4);
  expect_image(tf::RandomHorizontalFlip(1.0)(image), {1, 3, 4}, {3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8});
  expect_image(tf::RandomHorizontalFlip(0.0)(image), {1, 3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  expect_image(tf::RandomHorizontalFlip(1.0)(image[0]), {3, 4}, {3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8});
}

TEST(Transforms, VerticalFlipMirrorsRowsWithProbabilityOne) {
  const Tensor image = arange_image(1, 3, 4);
  expect_image(tf::RandomVerticalFlip(1.0)(image), {1, 3, 4}, {8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3});
  expect_image(tf::RandomVerticalFlip(0.0)(image), {1, 3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  expect_image(tf::RandomVerticalFlip(1.0)(image[0]), {3, 4}, {8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3});
}

TEST(Transforms, FlipsKeepUint8HwcLayout) {
  const Tensor hwc = arange(8).view({2, 2, 2}).to(kUInt8);  // (H, W, C)
  const Tensor h = tf::RandomHorizontalFlip(1.0)(hwc);
  EXPECT_EQ(h.dtype(), kUInt8);
  expect_image(h, {2, 2, 2}, {2, 3, 0, 1, 6, 7, 4, 5});
  expect_image(tf::RandomVerticalFlip(1.0)(hwc), {2, 2, 2}, {4, 5, 6, 7, 0, 1, 2, 3});
}

TEST(Transforms, FlipWithHalfProbabilityDoesBoth) {
  const Tensor image = arange_image(1, 1, 2);
  std::set<float> firsts;
  for (uint64_t seed = 0; seed < 32; ++seed)
    firsts.insert(with_seed(seed, tf::RandomHorizontalFlip(), image)[0][0][0].item<float>());
  EXPECT_EQ(firsts, (std::set<float>{0.f, 1.f}));
}

// ---- padding and crops ------------------------------------------------------------

TEST(Transforms, PadConstant) {
  expect_image(tf::Pad(1, 9.0)(arange_image(1, 2, 3)), {1, 4, 5},
               {9, 9, 9, 9, 9,  //
                9, 0, 1, 2, 9,  //
                9, 3, 4, 5, 9,  //
                9, 9, 9, 9, 9});
}

TEST(Transforms, PadEdge) {
  expect_image(tf::Pad(1, 0.0, "edge")(arange_image(1, 2, 3)), {1, 4, 5},
               {0, 0, 1, 2, 2,  //
                0, 0, 1, 2, 2,  //
                3, 3, 4, 5, 5,  //
                3, 3, 4, 5, 5});
}

TEST(Transforms, PadReflectSkipsTheEdgePixel) {
  expect_image(tf::Pad(1, 0.0, "reflect")(arange_image(1, 2, 3)), {1, 4, 5},
               {4, 3, 4, 5, 4,  //
                1, 0, 1, 2, 1,  //
                4, 3, 4, 5, 4,  //
                1, 0, 1, 2, 1});
  // rows -2..4 read 2 1 0 1 2 1 0, columns -2..5 read 2 1 0 1 2 3 2 1
  const Tensor out = tf::Pad(2, 0.0, "reflect")(arange_image(1, 3, 4));
  ASSERT_EQ(out.sizes().vec(), (std::vector<int64_t>{1, 7, 8}));
  EXPECT_THAT(out[0][0].to_vector<float>(), Pointwise(FloatNear(0), std::vector<float>{10, 9, 8, 9, 10, 11, 10, 9}));
  EXPECT_THAT(out[0][6].to_vector<float>(), Pointwise(FloatNear(0), std::vector<float>{2, 1, 0, 1, 2, 3, 2, 1}));
}

TEST(Transforms, PadUint8KeepsDtypeAndLayout) {
  const Tensor out = tf::Pad(1, 7.0)(tensor({{1, 2}, {3, 4}}, {.dtype = kUInt8}));
  EXPECT_EQ(out.dtype(), kUInt8);
  expect_image(out, {4, 4}, {7, 7, 7, 7, 7, 1, 2, 7, 7, 3, 4, 7, 7, 7, 7, 7});
  const Tensor hwc = tf::Pad(1, 0.0, "edge")(arange(4).view({1, 2, 2}).to(kUInt8));  // (H=1, W=2, C=2)
  expect_image(hwc, {3, 4, 2}, {0, 1, 0, 1, 2, 3, 2, 3, 0, 1, 0, 1, 2, 3, 2, 3, 0, 1, 0, 1, 2, 3, 2, 3});
}

TEST(Transforms, CenterCropRoundsHalvesToEven) {
  // top = round(0.5) = 0, left = round(1.0) = 1
  expect_image(tf::CenterCrop(2)(arange_image(1, 3, 4)), {1, 2, 2}, {1, 2, 5, 6});
  // top = left = round(1.5) = 2
  expect_image(tf::CenterCrop(2)(arange_image(1, 5, 5)), {1, 2, 2}, {12, 13, 17, 18});
  expect_image(tf::CenterCrop(2)(arange_image(1, 3, 4)[0]), {2, 2}, {1, 2, 5, 6});
}

TEST(Transforms, CenterCropPadsASmallImageWithZeros) {
  const Tensor image = tensor({{{1.0, 2.0}, {3.0, 4.0}}}, {.dtype = kFloat32});
  expect_image(tf::CenterCrop(4)(image), {1, 4, 4}, {0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0});
  expect_image(tf::CenterCrop(3)(image), {1, 3, 3}, {1, 2, 0, 3, 4, 0, 0, 0, 0});  // the odd pixel goes right/bottom
}

TEST(Transforms, RandomCropIsACropOfThePaddedImage) {
  const Tensor image = arange_image(1, 3, 4);
  const Tensor padded = tf::Pad(1)(image);  // (1, 5, 6)
  const tf::Transform crop = tf::RandomCrop(3, 1);
  std::set<std::pair<int64_t, int64_t>> offsets;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    const Tensor out = with_seed(seed, crop, image);
    ASSERT_EQ(out.sizes().vec(), (std::vector<int64_t>{1, 3, 3}));
    EXPECT_EQ(out.to_vector<float>(), with_seed(seed, crop, image).to_vector<float>());
    bool found = false;
    for (int64_t top = 0; top <= 2; ++top)
      for (int64_t left = 0; left <= 3; ++left)
        if (padded.narrow(1, top, 3).narrow(2, left, 3).to_vector<float>() == out.to_vector<float>()) {
          offsets.insert({top, left});
          found = true;
        }
    EXPECT_TRUE(found) << "seed " << seed << ": " << out;
  }
  EXPECT_GT(offsets.size(), 4u);
}

TEST(Transforms, RandomCropOfTheWholeImageIsIdentity) {
  expect_image(tf::RandomCrop(3)(arange_image(1, 3, 3)), {1, 3, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8});
}

TEST(Transforms, RandomCropTakesUint8HwcImages) {
  const Tensor out = tf::RandomCrop(32, 4)(zeros({32, 32, 3}, {.dtype = kUInt8}));
  EXPECT_EQ(out.sizes().vec(), (std::vector<int64_t>{32, 32, 3}));
  EXPECT_EQ(out.dtype(), kUInt8);
}

// ---- resizing -----------------------------------------------------------------------

TEST(Transforms, ResizeNearest) {
  const Tensor image = arange_image(1, 2, 2);  // [[0, 1], [2, 3]]
  expect_image(tf::Resize(4, 4, "nearest")(image), {1, 4, 4}, {0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3});
  // floor(i * in / out): 4 -> 2 reads 0, 2; 5 -> 3 reads 0, 1, 3
  expect_image(tf::Resize(2, 2, "nearest")(arange_image(1, 4, 4)), {1, 2, 2}, {0, 2, 8, 10});
  expect_image(tf::Resize(1, 3, "nearest")(arange_image(1, 1, 5)), {1, 1, 3}, {0, 1, 3});
}

TEST(Transforms, ResizeBilinearUpsample) {
  // sources (i + 0.5) / 2 - 0.5 = 0 (clamped), 0.25, 0.75, 1.25 (clamped to pixel 1): weights
  // (1, 0), (0.75, 0.25), (0.25, 0.75), (0, 1) along each axis
  expect_image(tf::Resize(4, 4)(arange_image(1, 2, 2)), {1, 4, 4},
               {0.0f, 0.25f, 0.75f, 1.0f,   //
                0.5f, 0.75f, 1.25f, 1.5f,   //
                1.5f, 1.75f, 2.25f, 2.5f,   //
                2.0f, 2.25f, 2.75f, 3.0f});
}

TEST(Transforms, ResizeBilinearDownsampleAndLayouts) {
  // 4 -> 2: sources 0.5 and 2.5, the means of pixel pairs
  expect_image(tf::Resize(2, 2)(arange_image(1, 4, 4)), {1, 2, 2}, {2.5f, 4.5f, 10.5f, 12.5f});
  expect_image(tf::Resize(2, 2)(arange_image(1, 4, 4)[0]), {2, 2}, {2.5f, 4.5f, 10.5f, 12.5f});
  // uint8: interpolated then rounded: 63.75 -> 64, 191.25 -> 191
  const Tensor out = tf::Resize(1, 4)(tensor({{0, 255}}, {.dtype = kUInt8}));
  EXPECT_EQ(out.dtype(), kUInt8);
  expect_image(out, {1, 4}, {0, 64, 191, 255});
}

TEST(Transforms, RandomResizedCropOfTheWholeImage) {
  const tf::Transform whole = tf::RandomResizedCrop(2, {1.0, 1.0}, {1.0, 1.0});
  expect_image(whole(arange_image(1, 4, 4)), {1, 2, 2}, {2.5f, 4.5f, 10.5f, 12.5f});
  // a 4x4 crop does not fit a 2x8 image: the fallback is the centered 2x2 crop at columns 3, 4
  expect_image(whole(arange_image(1, 2, 8)), {1, 2, 2}, {3, 4, 11, 12});
  const Tensor out = with_seed(3, tf::RandomResizedCrop(5), rand({3, 10, 12}));
  EXPECT_EQ(out.sizes().vec(), (std::vector<int64_t>{3, 5, 5}));
}

// ---- rotation and translation --------------------------------------------------------

TEST(Transforms, RotationByZeroDegreesIsIdentity) {
  const Tensor image = arange_image(2, 3, 4);
  EXPECT_EQ(tf::RandomRotation(0)(image).to_vector<float>(), image.to_vector<float>());
  EXPECT_EQ(tf::RandomRotation(0)(image[0]).sizes().vec(), (std::vector<int64_t>{3, 4}));
}

TEST(Transforms, RotationKeepsTheCenterAndSamplesPixelsOrFill) {
  const Tensor image = arange_image(1, 3, 3);
  for (uint64_t seed = 0; seed < 10; ++seed) {
    const Tensor out = with_seed(seed, tf::RandomRotation(180, -1.0), image);
    ASSERT_EQ(out.sizes().vec(), (std::vector<int64_t>{1, 3, 3}));
    EXPECT_EQ(out[0][1][1].item<float>(), 4.f);
    for (float v : out.to_vector<float>()) EXPECT_TRUE(v == -1.f || (v >= 0 && v <= 8 && v == std::floor(v))) << v;
  }
}

TEST(Transforms, AffineWithZeroTranslationIsIdentity) {
  const Tensor image = arange_image(2, 3, 4);
  EXPECT_EQ(tf::RandomAffine(0, 0)(image).to_vector<float>(), image.to_vector<float>());
}

TEST(Transforms, AffineShiftsByAnIntegerNumberOfPixels) {
  const Tensor image = arange_image(1, 3, 4);
  std::set<int64_t> shifts;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const std::vector<float> out = with_seed(seed, tf::RandomAffine(0.5, 0, -1.0), image).to_vector<float>();
    bool found = false;
    for (int64_t dx = -2; dx <= 2; ++dx) {  // |dx| <= round(0.5 * W)
      std::vector<float> shifted;
      for (int64_t i = 0; i < 3; ++i)
        for (int64_t j = 0; j < 4; ++j)
          shifted.push_back(j - dx >= 0 && j - dx < 4 ? static_cast<float>(i * 4 + j - dx) : -1.f);
      if (shifted == out) {
        shifts.insert(dx);
        found = true;
      }
    }
    EXPECT_TRUE(found) << "seed " << seed;
  }
  EXPECT_GT(shifts.size(), 2u);
}

// ---- color and erasing ------------------------------------------------------------------

TEST(Transforms, BrightnessScalesByAFactorInRangeAndClamps) {
  for (uint64_t seed = 0; seed < 10; ++seed) {
    const std::vector<float> out = with_seed(seed, tf::ColorJitter(0.5), full({3, 2, 2}, 0.5)).to_vector<float>();
    for (float v : out) {
      EXPECT_EQ(v, out[0]);  // one factor for the whole image
      EXPECT_GE(v, 0.25f);
      EXPECT_LE(v, 0.75f);
    }
    for (float v : with_seed(seed, tf::ColorJitter(2.0), rand({3, 4, 4})).to_vector<float>()) {
      EXPECT_GE(v, 0.f);
      EXPECT_LE(v, 1.f);
    }
  }
}

TEST(Transforms, ContrastBlendsWithTheMeanGray) {
  const Tensor pair = tensor({{{0.0, 1.0}}}, {.dtype = kFloat32});  // one channel, mean 0.5
  const Tensor rgb = tensor({{{0.6}}, {{0.4}}, {{0.4}}}, {.dtype = kFloat32});
  const float gray = 0.2989f * 0.6f + 0.587f * 0.4f + 0.114f * 0.4f;
  for (uint64_t seed = 0; seed < 10; ++seed) {
    const std::vector<float> out = with_seed(seed, tf::ColorJitter(0, 0.8), pair).to_vector<float>();
    EXPECT_NEAR(out[0] + out[1], 1.f, 1e-6);  // symmetric about the mean (also where clamped)
    const std::vector<float> c = with_seed(seed, tf::ColorJitter(0, 0.5), rgb).to_vector<float>();
    const float factor = (c[0] - c[1]) / 0.2f;  // out = factor * x + (1 - factor) * gray
    EXPECT_GE(factor, 0.5f - 1e-4f);
    EXPECT_LE(factor, 1.5f + 1e-4f);
    EXPECT_NEAR(c[1], factor * 0.4f + (1 - factor) * gray, 1e-5);
    EXPECT_NEAR(c[2], c[1], 1e-6);
  }
}

TEST(Transforms, ColorJitterTakesUint8HwcImages) {
  const Tensor out = with_seed(1, tf::ColorJitter(0.5, 0.5), full({2, 2, 3}, 100, {.dtype = kUInt8}));
  EXPECT_EQ(out.dtype(), kUInt8);
  EXPECT_EQ(out.sizes().vec(), (std::vector<int64_t>{2, 2, 3}));
  for (float v : out.to_vector<float>()) {
    EXPECT_GE(v, 50.f);
    EXPECT_LE(v, 150.f);
  }
}

TEST(Transforms, RandomErasingSetsARectangle) {
  const Tensor image = ones({2, 10, 10});
  for (uint64_t seed = 0; seed < 5; ++seed) {
    // area 25 at aspect 1: always a 5x5 square, the same in every channel
    const Tensor out = with_seed(seed, tf::RandomErasing(1.0, {0.25, 0.25}, {1.0, 1.0}, 0.0), image);
    EXPECT_EQ(out.eq(0).sum().item<int64_t>(), 50);
    const Tensor rows = out[0].eq(0).any(1).nonzero().view({-1}), cols = out[0].eq(0).any(0).nonzero().view({-1});
    EXPECT_EQ(rows.numel(), 5);
    EXPECT_EQ(cols.numel(), 5);
    EXPECT_EQ(rows[4].item<int64_t>() - rows[0].item<int64_t>(), 4);
    EXPECT_EQ(cols[4].item<int64_t>() - cols[0].item<int64_t>(), 4);
    EXPECT_TRUE(out[0].eq(out[1]).all().item<bool>());
  }
  EXPECT_EQ(image.eq(1).sum().item<int64_t>(), 200);  // the input is untouched
  const Tensor image3 = rand({3, 32, 32});
  const Tensor erased = with_seed(9, tf::RandomErasing(1.0, {0.02, 0.33}, {0.3, 3.3}, -1.0), image3);
  EXPECT_GT(erased.eq(-1).sum().item<int64_t>(), 0);
  EXPECT_EQ(tf::RandomErasing(0.0)(image3).to_vector<float>(), image3.to_vector<float>());
}

// ---- composition and the generator -------------------------------------------------------

TEST(Transforms, ComposeAppliesInOrder) {
  // Pad(1) -> 5x6; CenterCrop(3) at top round(1) = 1, left round(1.5) = 2: the original rows 0..2, columns 1..3
  const tf::Transform t =
      tf::Compose({tf::Pad(1), tf::CenterCrop(3), tf::Lambda([](const Tensor& x) { return x * 2; })});
  expect_image(t(arange_image(1, 3, 4)), {1, 3, 3}, {2, 4, 6, 10, 12, 14, 18, 20, 22});
  const Tensor image = arange_image(1, 2, 2);
  EXPECT_TRUE(tf::Compose({})(image).is_same(image));
}

TEST(Transforms, CifarRecipeOnUint8HwcImages) {
  const tf::Transform t = tf::Compose({tf::RandomCrop(32, 4), tf::RandomHorizontalFlip(), tf::ToTensor(),
                                       tf::Normalize({0.5, 0.5, 0.5}, {0.25, 0.25, 0.25})});
  const Tensor out = with_seed(5, t, full({32, 32, 3}, 255, {.dtype = kUInt8}));
  EXPECT_EQ(out.sizes().vec(), (std::vector<int64_t>{3, 32, 32}));
  EXPECT_EQ(out.dtype(), kFloat32);
  EXPECT_FLOAT_EQ(out.max().item<float>(), 2.f);  // (1 - 0.5) / 0.25
}

TEST(Transforms, RandomTransformsDrawOnlyFromTheSampleGenerator) {
  const tf::Transform t = tf::Compose({tf::RandomResizedCrop(4), tf::RandomHorizontalFlip(), tf::RandomRotation(30),
                                       tf::RandomAffine(0.2, 0.2), tf::ColorJitter(0.4, 0.4), tf::RandomErasing(1.0)});
  const Tensor image = rand({3, 8, 8});
  const uint64_t before = default_generator().offset();
  const Tensor a = with_seed(11, t, image), b = with_seed(11, t, image);
  EXPECT_EQ(default_generator().offset(), before);
  EXPECT_EQ(a.to_vector<float>(), b.to_vector<float>());
}

// ---- errors ----------------------------------------------------------------------------------

TEST(Transforms, Errors) {
  const Tensor image = arange_image(1, 3, 4);
  EXPECT_ERROR(tf::ToTensor()(arange(4).view({2, 2})), "ToTensor: expected a uint8 (H, W) or (H, W, C) image");
  EXPECT_ERROR(tf::Normalize({0.5}, {0.5, 0.5}), "Normalize: got 1 means but 2 stds");
  EXPECT_ERROR(tf::Normalize({0.5, 0.5}, {0.5, 0.0}), "Normalize: std[1] is 0");
  EXPECT_ERROR(tf::Normalize({0.5, 0.5}, {1, 1})(arange_image(3, 2, 2)),
               "Normalize: 2 means and stds for an image of 3 channels");
  EXPECT_ERROR(tf::Normalize({0.5}, {1})(image[0]), "Normalize: expected a (C, H, W) image");
  EXPECT_ERROR(tf::Normalize({0.5}, {1})(image.to(kUInt8)), "Normalize: expected a float image");
  EXPECT_ERROR(tf::RandomHorizontalFlip(1.5), "RandomHorizontalFlip: p must be in [0, 1], got 1.5");
  EXPECT_ERROR(tf::RandomVerticalFlip()(arange(5, {.dtype = kFloat32})),
               "RandomVerticalFlip: expected an image of shape (C, H, W) or (H, W)");
  EXPECT_ERROR(tf::Pad(1)(zeros({1, 0, 4})), "Pad: the image of shape [1, 0, 4] is empty");
  EXPECT_ERROR(tf::Pad(-1), "Pad: padding must be non-negative, got -1");
  EXPECT_ERROR(tf::Pad(1, 0.0, "wrap"), "Pad: padding_mode 'wrap' is not one of constant, edge, reflect");
  EXPECT_ERROR(tf::Pad(2, 0.0, "reflect")(arange_image(1, 2, 3)),
               "Pad: reflect padding 2 must be smaller than the image 2x3");
  EXPECT_ERROR(tf::RandomCrop(32)(zeros({1, 28, 28})), "RandomCrop: crop size 32 is larger than the image 28x28");
  EXPECT_ERROR(tf::RandomCrop(40, 4)(zeros({1, 28, 28})),
               "RandomCrop: crop size 40 is larger than the padded image 36x36");
  EXPECT_ERROR(tf::RandomCrop(0), "RandomCrop: size must be positive, got 0");
  EXPECT_ERROR(tf::RandomCrop(3, 1, 0.0, "symmetric"), "RandomCrop: padding_mode 'symmetric' is not one of");
  EXPECT_ERROR(tf::CenterCrop(0), "CenterCrop: size must be positive, got 0");
  EXPECT_ERROR(tf::Resize(0, 4), "Resize: the size must be positive, got 0x4");
  EXPECT_ERROR(tf::Resize(2, 2, "bicubic"), "Resize: interpolation 'bicubic' is not one of bilinear, nearest");
  EXPECT_ERROR(tf::RandomResizedCrop(4, {0.5, 0.1}), "RandomResizedCrop: scale must be (min, max)");
  EXPECT_ERROR(tf::RandomResizedCrop(4, {0.1, 0.5}, {0.0, 1.0}),
               "RandomResizedCrop: ratio must be (min, max) with 0 < min <= max");
  EXPECT_ERROR(tf::RandomRotation(-10), "RandomRotation: degrees must be non-negative, got -10");
  EXPECT_ERROR(tf::RandomAffine(1.5, 0), "RandomAffine: translate must be in [0, 1], got (1.5, 0)");
  EXPECT_ERROR(tf::ColorJitter(-0.1), "ColorJitter: brightness and contrast must be non-negative");
  EXPECT_ERROR(tf::ColorJitter(0, 0.5)(zeros({2, 3, 3})), "ColorJitter: contrast needs an image of 1 or 3 channels");
  EXPECT_ERROR(tf::RandomErasing(2.0), "RandomErasing: p must be in [0, 1], got 2");
  EXPECT_ERROR(tf::RandomErasing(0.5, {0.5, 2.0}), "RandomErasing: scale must lie in [0, 1]");
  EXPECT_ERROR(tf::RandomErasing(0.5, {0.02, 0.33}, {2.0, 1.0}), "RandomErasing: ratio must be (min, max)");
  EXPECT_ERROR(tf::Lambda({}), "Lambda: the function is empty");
  EXPECT_ERROR(tf::Compose({tf::Pad(1), tf::Transform()}), "Compose: transform 1 is empty");
}

}  // namespace
