// scripts/check_layers.sh, the include check `make test` runs over the tree,
// catches each kind of violation (run here on small made-up trees).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli_helpers.h"

using ember_test::ember_cli_command;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

// {exit status, output} of the check over a tree holding `file` with `text`.
std::pair<int, std::string> check_tree(const std::string& file, const std::string& text) {
  const fs::path root = fs::temp_directory_path() / ("ember_layers_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories((root / file).parent_path());
  fs::create_directories(root / "include/ember");
  fs::create_directories(root / "tools");
  std::ofstream(root / file) << text;
  auto result = ember_cli_command("bash " EMBER_SOURCE_DIR "/scripts/check_layers.sh " + root.string());
  fs::remove_all(root);
  return result;
}

TEST(Layering, TheCheckCatchesEachKindOfViolation) {
  EXPECT_EQ(check_tree("src/ops/ok.cpp", "#include \"backend/backend.h\"\n#include \"ember/tensor.h\"\n").first, 0);
  struct Violation {
    const char *file, *include, *message;
  };
  for (const Violation& v : std::initializer_list<Violation>{
           {"src/io/bad.cpp", "ember/nn/module.h", "src/io/bad.cpp (layer 5) includes \"ember/nn/module.h\" (layer 6)"},
           {"src/graph/bad.cpp", "ops/internal.h", "src/graph/bad.cpp (layer 2) includes \"ops/internal.h\" (layer 3)"},
           {"src/optim/bad.cpp", "backend/cpu/loops.h", "only src/ops may call the backends"},
           {"src/backend/cpu/bad.cpp", "ember/creation.h", "kernels never call ops"},
           {"tools/ember/bad.cpp", "ops/internal.h", "tools use the public headers only"},
           {"src/nn/bad.cpp", "gpu/thing.h", "belongs to no layer"}}) {
    SCOPED_TRACE(v.file);
    const auto [status, out] = check_tree(v.file, std::string("#include \"") + v.include + "\"\n");
    EXPECT_NE(status, 0);
    EXPECT_THAT(out, HasSubstr(v.message));
  }
}

}  // namespace
