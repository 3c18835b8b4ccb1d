// safetensors: round trips, a file laid out by the reference writer (made by
// tests/golden/make_nn_fixtures.py from a PyTorch state dict), atomic writes,
// and every kind of malformed file refused with a clear error.
#include <ember/ember.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>

using namespace ember;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

#define EXPECT_ERROR(stmt, text) EXPECT_THAT([&] { stmt; }, ::testing::ThrowsMessage<Error>(HasSubstr(text)))

class Safetensors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ember_io_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Writes a file from a header text and data bytes (for the bad-file cases).
  std::string raw_file(const std::string& header, const std::string& data = "", int64_t length_override = -1) {
    const std::string p = path("raw.safetensors");
    std::ofstream f(p, std::ios::binary);
    const uint64_t n = length_override >= 0 ? static_cast<uint64_t>(length_override) : header.size();
    f.write(reinterpret_cast<const char*>(&n), 8);
    f << header << data;
    return p;
  }

  fs::path dir_;
};

TEST_F(Safetensors, ModuleRoundTrip) {
  nn::Sequential a(nn::Linear(4, 3), nn::BatchNorm1d(3), nn::Linear(3, 2));
  a(randn({5, 4}));  // running statistics change
  save(a, path("m.safetensors"), {{"epoch", "3"}});
  nn::Sequential b(nn::Linear(4, 3), nn::BatchNorm1d(3), nn::Linear(3, 2));
  load(b, path("m.safetensors"));
  a.eval();
  b.eval();
  Tensor x = randn({2, 4});
  EXPECT_EQ((a(x) - b(x)).abs().max().item<double>(), 0.0);
  Metadata meta;
  const nn::StateDict state = load(path("m.safetensors"), &meta);
  EXPECT_EQ(meta.at("epoch"), "3");
  EXPECT_EQ(state.size(), 9u);
  EXPECT_EQ(b.at<nn::BatchNorm1d>(1).num_batches_tracked.item<int64_t>(), 1);
}

TEST_F(Safetensors, EveryDtypeAndEmptyAndNonContiguous) {
  nn::StateDict state = {
      {"f64", randn({2, 3}, {.dtype = kFloat64})},
      {"f32_t", randn({3, 2}).t()},  // written contiguously
      {"i64", arange(5)},
      {"i32", arange(4, {.dtype = kInt32})},
      {"i16", arange(3, {.dtype = kInt16})},
      {"u8", arange(7, {.dtype = kUInt8})},
      {"b", tensor({true, false, true})},
      {"empty", zeros({0, 4})},
      {"scalar", scalar_tensor(2.5)},
  };
  save(state, path("all.safetensors"));
  const nn::StateDict back = load(path("all.safetensors"));
  ASSERT_EQ(back.size(), state.size());
  for (const auto& [name, t] : state) {
    auto it = std::find_if(back.begin(), back.end(), [&](const auto& e) { return e.first == name; });
    ASSERT_NE(it, back.end()) << name;
    EXPECT_EQ(it->second.dtype(), t.dtype()) << name;
    EXPECT_EQ(it->second.sizes(), t.sizes()) << name;
    EXPECT_EQ(it->second.to_vector<double>(), t.to_vector<double>()) << name;
  }
}

TEST_F(Safetensors, ReadsAFileLaidOutByTheReferenceWriter) {
  nn::Linear fc(3, 2);
  Metadata meta;
  fc.load_state_dict(load(EMBER_GOLDEN_DIR "/linear.safetensors", &meta));
  EXPECT_EQ(meta.at("format"), "pt");
  EXPECT_EQ(fc.weight.to_vector<float>(), (std::vector<float>{0, 0.5, 1, 1.5, 2, 2.5}));
  EXPECT_EQ(fc.bias.to_vector<float>(), (std::vector<float>{-1, 1}));
}

TEST_F(Safetensors, HeaderIsPaddedAndDataAligned) {
  save({{"w", ones({3})}}, path("a.safetensors"));
  std::ifstream f(path("a.safetensors"), std::ios::binary);
  uint64_t n = 0;
  f.read(reinterpret_cast<char*>(&n), 8);
  EXPECT_EQ(n % 8, 0u);
  std::string header(n, ' ');
  f.read(header.data(), static_cast<std::streamsize>(n));
  EXPECT_THAT(header, HasSubstr(R"("w":{"data_offsets":[0,12],"dtype":"F32","shape":[3]})"));
}

TEST_F(Safetensors, WritesAtomically) {
  const std::string p = path("keep.safetensors");
  save({{"w", ones({2})}}, p);
  // A failing save leaves the old file whole and no temporary behind.
  EXPECT_ERROR(save({{"w", ones({2})}, {"w", ones({3})}}, p), "save: tensor name 'w' appears twice");
  EXPECT_ERROR(save({{"x", Tensor()}}, p), "save: tensor 'x' is undefined");
  EXPECT_EQ(load(p)[0].second.to_vector<float>(), (std::vector<float>{1, 1}));
  EXPECT_ERROR(save({{"w", ones({2})}}, path("no/such/dir/f.safetensors")), "cannot create a temporary file");
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir_)) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST_F(Safetensors, RefusesBadFiles) {
  const std::string f32x2 = R"("dtype":"F32","shape":[2])";
  EXPECT_ERROR(load(path("missing.safetensors")), "load: cannot open");
  {
    std::ofstream(path("short.safetensors")) << "abc";
    EXPECT_ERROR(load(path("short.safetensors")), "3 bytes is too short for the 8-byte header length");
  }
  EXPECT_ERROR(load(raw_file("{}", "", 1000)), "the header length (1000) runs past the end of the file");
  EXPECT_ERROR(load(raw_file("{\"a\": ")), "malformed JSON header");
  EXPECT_ERROR(load(raw_file("[1, 2]")), "the header is not a JSON object");
  EXPECT_ERROR(load(raw_file(R"({"a":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}})", "x")),
               "entry 'a' has unknown dtype \"F8\"");
  EXPECT_ERROR(load(raw_file(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", "12345678")),
               "entry 'a' has a non-integer or negative size");
  EXPECT_ERROR(load(raw_file(R"({"a":{)" + f32x2 + R"(,"data_offsets":[0,16]}})", "12345678")),
               "entry 'a' has data_offsets [0, 16] outside the 8 data bytes");
  EXPECT_ERROR(load(raw_file(R"({"a":{)" + f32x2 + R"(,"data_offsets":[0,4]}})", "1234")),
               "entry 'a' has 4 bytes but shape [2] of F32 needs 8");
  EXPECT_ERROR(load(raw_file(R"({"a":{)" + f32x2 + R"(,"data_offsets":[0,8]},"b":{)" + f32x2 +
                             R"(,"data_offsets":[4,12]}})",
                             "123456789012")),
               "entry 'b' overlaps the tensor before it");
  EXPECT_ERROR(load(raw_file(R"({"a":{)" + f32x2 + R"(,"data_offsets":[4,12]}})", "123456789012")),
               "bytes 0 to 4 of the data belong to no tensor");
  EXPECT_ERROR(load(raw_file(R"({"a":{)" + f32x2 + R"(,"data_offsets":[0,8]}})", "1234567890")),
               "the data has 2 bytes after the last tensor");
  EXPECT_ERROR(load(raw_file(R"({"a":{)" + f32x2 + R"(,"data_offsets":[0,8]},"a":{)" + f32x2 +
                             R"(,"data_offsets":[0,8]}})",
                             "12345678")),
               "tensor name 'a' appears twice");
  EXPECT_ERROR(load(raw_file(R"({"a":{"dtype":"F32"}})")), "entry 'a' needs dtype, shape and data_offsets");
  EXPECT_ERROR(load(raw_file(R"({"__metadata__":{"k":1}})")), "__metadata__ value of 'k' is not a string");
}

// Found by the metadata fuzz target: strtoull read " -5" as 2^64 - 5, and
// spaces before a number were skipped.
TEST(Metadata, ReadersTakeExactlyTheNumber) {
  const Metadata m = {{"int", "-12"}, {"uint", "18446744073709551615"}, {"real", "0x1.8p+1"}, {"inf", "inf"},
                      {"spaced", " -5"}, {"plus", "+5"}, {"tail", "5 "}, {"huge", "99999999999999999999"},
                      {"empty", ""}, {"nan", "nan"}};
  EXPECT_EQ(metadata_int(m, "int", "here"), -12);
  EXPECT_EQ(metadata_uint(m, "uint", "here"), UINT64_MAX);
  EXPECT_EQ(metadata_double(m, "real", "here"), 3.0);
  EXPECT_EQ(metadata_double(m, "inf", "here"), INFINITY);  // early stopping's best before any epoch
  EXPECT_ERROR(metadata_uint(m, "spaced", "checkpoint c"), "checkpoint c: metadata 'spaced' should be a non-negative integer, got ' -5'");
  EXPECT_ERROR(metadata_int(m, "spaced", "here"), "metadata 'spaced' should be an integer");
  EXPECT_ERROR(metadata_double(m, "spaced", "here"), "metadata 'spaced' should be a number");
  EXPECT_ERROR(metadata_uint(m, "int", "here"), "should be a non-negative integer, got '-12'");
  for (const char* key : {"plus", "tail", "huge", "empty"}) EXPECT_ERROR(metadata_int(m, key, "here"), "should be an integer");
  EXPECT_ERROR(metadata_double(m, "nan", "here"), "should be a number, got 'nan'");
  EXPECT_ERROR(metadata_int(m, "missing", "checkpoint c"), "checkpoint c: the metadata has no 'missing'");
}

TEST_F(Safetensors, StrictLoadIntoAModuleListsTheMismatch) {
  save({{"weight", zeros({2, 3})}}, path("partial.safetensors"));
  nn::Linear fc(3, 2);
  EXPECT_ERROR(load(fc, path("partial.safetensors")), "missing keys: bias");
  load(fc, path("partial.safetensors"), false);
  EXPECT_EQ(fc.weight.abs().sum().item<double>(), 0.0);
}

}  // namespace
