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
  auto [up, up_out] = check_tree("src/io/bad.cpp", "#include \"ember/nn/module.h\"\n");
  EXPECT_NE(up, 0);
  EXPECT_THAT(up_out, HasSubstr("src/io/bad.cpp (layer 5) includes \"ember/nn/module.h\" (layer 6)"));
  auto [graph, graph_out] = check_tree("src/graph/bad.cpp", "#include \"ops/internal.h\"\n");
  EXPECT_NE(graph, 0);
  EXPECT_THAT(graph_out, HasSubstr("src/graph/bad.cpp (layer 2) includes \"ops/internal.h\" (layer 3)"));
  auto [door, door_out] = check_tree("src/optim/bad.cpp", "#include \"backend/cpu/loops.h\"\n");
  EXPECT_NE(door, 0);
  EXPECT_THAT(door_out, HasSubstr("only src/ops may call the backends"));
  auto [kernel, kernel_out] = check_tree("src/backend/cpu/bad.cpp", "#include \"ember/creation.h\"\n");
  EXPECT_NE(kernel, 0);
  EXPECT_THAT(kernel_out, HasSubstr("kernels never call ops"));
  auto [tool, tool_out] = check_tree("tools/ember/bad.cpp", "#include \"ops/internal.h\"\n");
  EXPECT_NE(tool, 0);
  EXPECT_THAT(tool_out, HasSubstr("tools use the public headers only"));
  auto [unknown, unknown_out] = check_tree("src/nn/bad.cpp", "#include \"gpu/thing.h\"\n");
  EXPECT_NE(unknown, 0);
  EXPECT_THAT(unknown_out, HasSubstr("belongs to no layer"));
}

}  // namespace
