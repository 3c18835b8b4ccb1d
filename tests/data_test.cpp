// Datasets, samplers and the DataLoader: shapes, values, determinism across
// worker counts, sharding, and every bad-input case (with broken files made here).
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <set>

using namespace ember;
using namespace ember::data;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

#define EXPECT_ERROR(stmt, text) EXPECT_THAT([&] { stmt; }, ::testing::ThrowsMessage<Error>(HasSubstr(text)))

std::shared_ptr<TensorDataset> numbers(int64_t n) {
  return std::make_shared<TensorDataset>(arange(n, {.dtype = kFloat32}).view({n, 1}), arange(n));
}

// An example's data is its index plus a random draw from sample_generator(),
// so equal batches mean equal order and equal per-example randomness.
struct Noisy : Dataset {
  int64_t size() const override { return 37; }
  Example get(int64_t i) const override {
    const Tensor noise = rand({2}, {}, &sample_generator());
    return {noise + static_cast<double>(i), scalar_tensor(i, {.dtype = kInt64})};
  }
};

// Fails on example 13.
struct Broken : Dataset {
  int64_t size() const override { return 20; }
  Example get(int64_t i) const override {
    EMBER_CHECK(i != 13, "Broken: example ", i, " is unreadable");
    return {zeros({1}), scalar_tensor(i, {.dtype = kInt64})};
  }
};

std::vector<std::vector<float>> run(DataLoader& loader) {
  std::vector<std::vector<float>> out;
  for (const Batch& b : loader) out.push_back(b.data.to_vector<float>());
  return out;
}

TEST(Dataset, BasicsSubsetsAndSplits) {
  auto d = numbers(10);
  EXPECT_EQ(d->get(3).target.item<int64_t>(), 3);
  EXPECT_ERROR(d->get(10), "TensorDataset: index 10 is out of range for a dataset of 10 examples");
  EXPECT_ERROR(TensorDataset(zeros({3, 2}), zeros({4})), "TensorDataset: data has 3 rows but targets has 4");
  Subset s(d, {7, 2});
  EXPECT_EQ(s.get(0).target.item<int64_t>(), 7);
  EXPECT_ERROR(Subset(d, {11}), "Subset: index 11 is out of range");
  ConcatDataset c({d, numbers(5)});
  EXPECT_EQ(c.size(), 15);
  EXPECT_EQ(c.get(12).target.item<int64_t>(), 2);
  Generator g(1);
  auto parts = random_split(d, std::vector<int64_t>{6, 4}, g);
  std::set<int64_t> seen;
  for (auto& p : parts)
    for (int64_t i : p->indices()) seen.insert(i);
  EXPECT_EQ(parts[0]->size(), 6);
  EXPECT_EQ(seen.size(), 10u);
  Generator g2(1);
  auto fractions = random_split(numbers(11), std::vector<double>{0.5, 0.5}, g2);
  EXPECT_EQ(fractions[0]->size(), 6);  // the remainder goes to the first split
  EXPECT_ERROR(random_split(d, std::vector<int64_t>{3, 3}, g), "random_split: lengths [3, 3] sum to 6 but the dataset has 10");
  TransformedDataset t(d, [](const Tensor& x) { return x * 2; });
  EXPECT_EQ(t.get(4).data.item<double>(), 8.0);
}

TEST(Sampler, OrdersAndSharding) {
  EXPECT_EQ(SequentialSampler(4).indices(0), (std::vector<int64_t>{0, 1, 2, 3}));
  RandomSampler r(50, false, -1, 7);
  auto e0 = r.indices(0), e1 = r.indices(1);
  EXPECT_EQ(std::set<int64_t>(e0.begin(), e0.end()).size(), 50u);
  EXPECT_NE(e0, e1);
  EXPECT_EQ(e0, RandomSampler(50, false, -1, 7).indices(0));
  EXPECT_EQ(RandomSampler(5, true, 12, 3).indices(0).size(), 12u);
  EXPECT_ERROR(RandomSampler(5, false, 6), "RandomSampler: num_samples (6) can exceed the dataset size (5) only with replacement");
  WeightedRandomSampler w({0.0, 1.0, 0.0, 3.0}, 4000, true, 5);
  int ones = 0, threes = 0;
  for (int64_t i : w.indices(0)) ones += i == 1, threes += i == 3;
  EXPECT_EQ(ones + threes, 4000);
  EXPECT_NEAR(threes / 4000.0, 0.75, 0.03);
  auto unique = WeightedRandomSampler({1, 1, 1, 1}, 4, false).indices(0);
  EXPECT_EQ(std::set<int64_t>(unique.begin(), unique.end()).size(), 4u);
  EXPECT_ERROR(WeightedRandomSampler({0, 0}, 1), "WeightedRandomSampler: all weights are zero");
  auto sub = SubsetRandomSampler({5, 9, 11}).indices(2);
  EXPECT_EQ(std::set<int64_t>(sub.begin(), sub.end()), (std::set<int64_t>{5, 9, 11}));
  // 10 examples over 3 ranks: 4 each, padded by wrapping; together they cover everything.
  std::multiset<int64_t> all;
  for (int rank = 0; rank < 3; ++rank) {
    DistributedSampler ds(10, 3, rank, true, 42);
    EXPECT_EQ(ds.size(), 4);
    for (int64_t i : ds.indices(0)) all.insert(i);
  }
  EXPECT_EQ(all.size(), 12u);
  EXPECT_EQ(std::set<int64_t>(all.begin(), all.end()).size(), 10u);
  EXPECT_EQ(DistributedSampler(10, 3, 0, false, 0, true).indices(0), (std::vector<int64_t>{0, 3, 6}));
  EXPECT_ERROR(DistributedSampler(10, 3, 3), "DistributedSampler: invalid rank 3, rank should be in [0, 2]");
  SequentialSampler seq(10);
  EXPECT_EQ(BatchSampler(seq, 4, true).batches(0).size(), 2u);
  EXPECT_EQ(BatchSampler(seq, 4, false).batches(0).back(), (std::vector<int64_t>{8, 9}));
}

TEST(DataLoader, BatchesAndDropLast) {
  DataLoader loader(numbers(10), {.batch_size = 4});
  EXPECT_EQ(loader.size(), 3);
  auto batches = run(loader);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[2], (std::vector<float>{8, 9}));
  DataLoader dropping(numbers(10), {.batch_size = 4, .drop_last = true});
  EXPECT_EQ(dropping.size(), 2);
  EXPECT_EQ(run(dropping).size(), 2u);
  for (const Batch& b : DataLoader(numbers(6), {.batch_size = 3}))
    EXPECT_EQ(b.target.sizes(), (Shape{3}));
}

// Continuing an interrupted epoch: the batches after the skipped ones are the
// ones a full epoch would give (same order, same augmentation), once.
TEST(DataLoader, SkipBatchesContinuesAnEpoch) {
  auto dataset = std::make_shared<Noisy>();
  for (int workers : {0, 2}) {
    DataLoader loader(dataset, {.batch_size = 5, .shuffle = true, .num_workers = workers, .seed = 7});
    loader.set_epoch(3);
    const auto full = run(loader);
    loader.set_epoch(3);
    loader.skip_batches(2);
    const auto rest = run(loader);
    ASSERT_EQ(rest.size(), full.size() - 2);
    EXPECT_TRUE(std::equal(rest.begin(), rest.end(), full.begin() + 2));
    loader.set_epoch(3);
    EXPECT_EQ(run(loader), full) << "the skip applies to one epoch only";
    loader.skip_batches(loader.size());
    EXPECT_TRUE(run(loader).empty());
  }
  DataLoader loader(dataset, {.batch_size = 5});
  EXPECT_ERROR(loader.skip_batches(9), "skip_batches: 9 is outside [0, 8]");
}

TEST(DataLoader, SameOrderAndAugmentationForAnyWorkerCount) {
  auto dataset = std::make_shared<Noisy>();
  std::vector<std::vector<std::vector<float>>> runs;
  for (int workers : {0, 1, 2}) {
    DataLoader loader(dataset, {.batch_size = 5, .shuffle = true, .num_workers = workers, .seed = 99});
    runs.push_back(run(loader));
    auto second_epoch = run(loader);
    EXPECT_NE(second_epoch, runs.back()) << "each epoch reshuffles";
  }
  EXPECT_EQ(runs[0], runs[1]);
  EXPECT_EQ(runs[0], runs[2]);
}

TEST(DataLoader, FastPathMatchesExampleByExample) {
  auto d = numbers(20);
  DataLoader fast(d, {.batch_size = 6, .shuffle = true, .seed = 3});
  DataLoader slow(d, {.batch_size = 6, .shuffle = true, .collate = default_collate, .seed = 3});
  EXPECT_EQ(run(fast), run(slow));
}

TEST(DataLoader, WorkerErrorsNameTheExampleAndEarlyStopIsClean) {
  DataLoader loader(std::make_shared<Broken>(), {.batch_size = 4, .num_workers = 2});
  EXPECT_ERROR(run(loader), "DataLoader: batch 3 (example indices [12, 13, 14, 15]) failed: Broken: example 13 is unreadable");
  DataLoader big(std::make_shared<Noisy>(), {.batch_size = 1, .num_workers = 2});
  int seen = 0;
  for (const Batch& b : big) {
    (void)b;
    if (++seen == 3) break;  // the workers stop and join
  }
  EXPECT_EQ(seen, 3);
  EXPECT_ERROR(DataLoader(numbers(3), {.batch_size = 0}), "DataLoader: batch_size should be a positive integer, got 0");
  EXPECT_ERROR(DataLoader(numbers(3), {.shuffle = true, .sampler = std::make_shared<SequentialSampler>(3)}),
               "DataLoader: sampler option is mutually exclusive with shuffle");
}

TEST(FashionMNIST, LoadsTheDebianPackage) {
  FashionMNIST train;
  FashionMNIST test(FashionMNIST::kDefaultRoot, false);
  ASSERT_EQ(train.size(), 60000);
  ASSERT_EQ(test.size(), 10000);
  EXPECT_EQ(train.images().dtype(), kUInt8);
  EXPECT_EQ(train.images()[0].sum().item<int64_t>(), 76247);
  EXPECT_EQ(train.images()[59999].sum().item<int64_t>(), 16684);
  EXPECT_EQ(test.images()[0].sum().item<int64_t>(), 33456);
  EXPECT_EQ(test.images()[9999].sum().item<int64_t>(), 24390);
  EXPECT_EQ(train.labels()[0].item<int64_t>(), 9);
  EXPECT_EQ(test.labels()[9999].item<int64_t>(), 5);
  const Example e = train.get(0);
  EXPECT_EQ(e.data.sizes(), (Shape{1, 28, 28}));
  EXPECT_NEAR(e.data.sum().item<double>(), 76247 / 255.0, 1e-3);
  EXPECT_EQ(train.classes()[9], "Ankle boot");
  DataLoader loader(std::make_shared<FashionMNIST>(), {.batch_size = 64, .shuffle = true});
  EXPECT_EQ(loader.size(), 938);
  const Batch b = *loader.begin();
  EXPECT_EQ(b.data.sizes(), (Shape{64, 1, 28, 28}));
  EXPECT_EQ(b.target.dtype(), kInt64);
}

class BrokenFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ember_data_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string be32(uint32_t v) {
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
  }
  void write_gz(const std::string& name, const std::string& bytes) {
    gzFile f = gzopen((dir_ / name).c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
  }
  // n images of 2x2 and n labels (raw IDX, gzipped)
  void write_mnist(uint32_t images, uint32_t labels, uint8_t label = 3, uint32_t image_magic = 0x803) {
    write_gz("train-images-idx3-ubyte.gz", be32(image_magic) + be32(images) + be32(2) + be32(2) + std::string(images * 4, '\7'));
    write_gz("train-labels-idx1-ubyte.gz", be32(0x801) + be32(labels) + std::string(labels, static_cast<char>(label)));
  }
  fs::path dir_;
};

TEST_F(BrokenFiles, MNISTErrors) {
  EXPECT_ERROR(FashionMNIST("/no/such/dir"), "FashionMNIST: root /no/such/dir is not a directory");
  EXPECT_ERROR(MNIST(dir_.string()), "MNIST: cannot find train-images-idx3-ubyte[.gz] in");
  write_mnist(3, 3);
  EXPECT_EQ(MNIST(dir_.string()).size(), 3);
  write_mnist(3, 3, 3, 0x804);
  EXPECT_ERROR(MNIST(dir_.string()), "has IDX magic 0x804, expected 0x803");
  write_mnist(3, 4);
  EXPECT_ERROR(MNIST(dir_.string()), "MNIST: 3 images but 4 labels");
  write_mnist(3, 3, 12);
  EXPECT_ERROR(MNIST(dir_.string()), "MNIST: label 12 of example 0 is outside the 10 classes");
  write_mnist(3, 3);
  {  // cut the compressed images short
    std::string bytes;
    {
      std::ifstream in(dir_ / "train-images-idx3-ubyte.gz", std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::ofstream(dir_ / "train-images-idx3-ubyte.gz", std::ios::binary) << bytes.substr(0, bytes.size() - 12);
  }
  EXPECT_ERROR(MNIST(dir_.string()), "train-images-idx3-ubyte.gz");
  write_gz("train-images-idx3-ubyte.gz", be32(0x803) + be32(3) + be32(2) + be32(2) + std::string(5, '\7'));
  EXPECT_ERROR(MNIST(dir_.string()), "holds 5 data bytes but its dims [3, 2, 2] need 12");
  // dims whose product is 2^64 must not wrap around to the 0 data bytes of the file
  write_gz("train-images-idx3-ubyte.gz", be32(0x803) + be32(1 << 16) + be32(1 << 24) + be32(1 << 24));
  write_gz("train-labels-idx1-ubyte.gz", be32(0x801) + be32(1 << 16) + std::string(1 << 16, '\3'));
  EXPECT_ERROR(MNIST(dir_.string()), "holds 0 data bytes but its dims [65536, 16777216, 16777216] need more than 2^64");
}

TEST_F(BrokenFiles, CIFARLayoutAndErrors) {
  std::string record(1 + 3072, '\0');
  record[0] = 7;
  record[1] = 10;           // R of pixel 0
  record[1 + 1024] = 20;    // G of pixel 0
  record[1 + 2048] = 30;    // B of pixel 0
  std::ofstream(dir_ / "test_batch.bin", std::ios::binary) << record << record;
  CIFAR10 c(dir_.string(), false);
  EXPECT_EQ(c.size(), 2);
  EXPECT_EQ(c.images()[0][0][0].to_vector<int64_t>(), (std::vector<int64_t>{10, 20, 30}));
  EXPECT_EQ(c.get(1).target.item<int64_t>(), 7);
  EXPECT_EQ(c.get(0).data.sizes(), (Shape{3, 32, 32}));
  std::ofstream(dir_ / "test_batch.bin", std::ios::binary) << record.substr(0, 100);
  EXPECT_ERROR(CIFAR10(dir_.string(), false), "has 100 bytes, not a whole number of 3073-byte records");
  EXPECT_ERROR(CIFAR10(dir_.string(), true), "CIFAR10: cannot open");
}

TEST_F(BrokenFiles, CSV) {
  std::ofstream(dir_ / "phones.csv") << "battery, ram ,price_range\n1000,2,0\n3000,4,2\n\n2000,3,1\n";
  CSVDataset d((dir_ / "phones.csv").string(), {.target = "price_range"});
  EXPECT_EQ(d.size(), 3);
  EXPECT_EQ(d.feature_names(), (std::vector<std::string>{"battery", "ram"}));
  EXPECT_EQ(d.get(1).data.to_vector<float>(), (std::vector<float>{3000, 4}));
  EXPECT_EQ(d.get(2).target.item<int64_t>(), 1);
  const auto stats = d.statistics();
  d.standardize(stats);
  EXPECT_NEAR(d.get(1).data[0].item<double>(), 1.2247449, 1e-5);
  std::ofstream(dir_ / "bad.csv") << "a,b\n1,2\n3\n";
  EXPECT_ERROR(CSVDataset((dir_ / "bad.csv").string(), {.target = "b"}), "bad.csv line 3 has 1 fields, expected 2");
  std::ofstream(dir_ / "nan.csv") << "a,b\n1,2\nx1,2\n";
  EXPECT_ERROR(CSVDataset((dir_ / "nan.csv").string(), {.target = "b"}), "nan.csv line 3 column 1 ('a'): 'x1' is not a number");
  EXPECT_ERROR(CSVDataset((dir_ / "nan.csv").string(), {.target = "c"}), "has no column 'c'");
  std::ofstream(dir_ / "frac.csv") << "a,b\n1,0.5\n";
  EXPECT_ERROR(CSVDataset((dir_ / "frac.csv").string(), {.target = "b"}), "class target '0.5' is not a non-negative integer");
  EXPECT_EQ(CSVDataset((dir_ / "frac.csv").string(), {.target = "b", .regression = true}).get(0).target.dtype(), kFloat32);
  // Found by the csv fuzz target: values a float32 feature or an int64 label cannot hold.
  std::ofstream(dir_ / "huge.csv") << "a,b\n1,5555555555555555555555555\n3.4e45,1\n";
  EXPECT_ERROR(CSVDataset((dir_ / "huge.csv").string(), {.target = "b"}),
               "line 2: class target '5555555555555555555555555' is not a non-negative integer below 2^53");
  EXPECT_ERROR(CSVDataset((dir_ / "huge.csv").string(), {.target = "b", .regression = true}),
               "huge.csv line 3 column 1 ('a'): 3.4e45 is beyond float32's range");
  EXPECT_ERROR(CSVDataset((dir_ / "huge.csv").string(), {.target = "a", .regression = true}),
               "huge.csv line 3 column 1 ('a'): 3.4e45 is beyond float32's range");
}

// A 24-bit BMP of width 2, height 1 with pixels (r0, g0, b0), (r1, g1, b1).
std::string tiny_bmp(uint8_t r0, uint8_t g0, uint8_t b0, uint8_t r1, uint8_t g1, uint8_t b1) {
  auto le32 = [](uint32_t v) { return std::string{static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16), static_cast<char>(v >> 24)}; };
  auto le16 = [](uint16_t v) { return std::string{static_cast<char>(v), static_cast<char>(v >> 8)}; };
  const std::string pixels{static_cast<char>(b0), static_cast<char>(g0), static_cast<char>(r0),
                           static_cast<char>(b1), static_cast<char>(g1), static_cast<char>(r1), 0, 0};  // row padded to 8
  return "BM" + le32(54 + 8) + le32(0) + le32(54) + le32(40) + le32(2) + le32(1) + le16(1) + le16(24) + le32(0) +
         le32(8) + le32(2835) + le32(2835) + le32(0) + le32(0) + pixels;
}

TEST_F(BrokenFiles, ImageFolder) {
  EXPECT_ERROR(ImageFolder(dir_.string()), "ImageFolder: " + dir_.string() + " has no class sub-folders");
  fs::create_directories(dir_ / "cat");
  fs::create_directories(dir_ / "ant");
  EXPECT_ERROR(ImageFolder(dir_.string()), "ImageFolder: no images (png, jpg, jpeg, bmp, gif, tga)");
  std::ofstream(dir_ / "cat" / "a.bmp", std::ios::binary) << tiny_bmp(255, 0, 0, 0, 0, 255);
  std::ofstream(dir_ / "ant" / "b.bmp", std::ios::binary) << tiny_bmp(0, 255, 0, 10, 20, 30);
  ImageFolder folder(dir_.string());
  EXPECT_EQ(folder.classes(), (std::vector<std::string>{"ant", "cat"}));
  ASSERT_EQ(folder.size(), 2);
  const Example ant = folder.get(0);
  EXPECT_EQ(ant.target.item<int64_t>(), 0);
  EXPECT_EQ(ant.data.sizes(), (Shape{3, 1, 2}));
  EXPECT_NEAR(ant.data[2][0][1].item<double>(), 30 / 255.0, 1e-6);  // blue of pixel 1
  ImageFolder raw(dir_.string(), [](const Tensor& x) { return x; });
  EXPECT_EQ(raw.get(1).data.to_vector<int64_t>(), (std::vector<int64_t>{255, 0, 0, 0, 0, 255}));
  std::ofstream(dir_ / "cat" / "broken.png", std::ios::binary) << "not a png at all";
  ImageFolder with_broken(dir_.string());
  EXPECT_ERROR(with_broken.get(2), "ImageFolder: cannot decode " + (dir_ / "cat" / "broken.png").string());
}

TEST(Synthetic, Shapes) {
  auto blobs = make_blobs(100, 2, 4, 1);
  EXPECT_EQ(blobs->get(5).data.sizes(), (Shape{2}));
  EXPECT_EQ(blobs->get(5).target.item<int64_t>(), 1);
  EXPECT_EQ(make_regression(10, 3)->get(0).target.sizes(), (Shape{1}));
  EXPECT_EQ(make_sequences(8, 12)->get(0).data.sizes(), (Shape{12, 1}));
}

}  // namespace
