// Saving and loading tensors and modules in the safetensors format (8-byte
// little-endian header length, a JSON header of dtype/shape/data_offsets per
// tensor plus optional "__metadata__", then the raw little-endian data), the
// format PyTorch users exchange weights in. Names are state_dict names; for
// modules, see ember/nn/serialization.h.
#pragma once

#include <string>

#include "ember/metadata.h"
#include "ember/state_dict.h"

namespace ember {

// Writes atomically: a temporary file in the same folder, flushed to disk,
// then renamed over `path`, so a crash never leaves a half-written file there.
void save(const StateDict& tensors, const std::string& path, const Metadata& metadata = {});

// Reads every tensor (copied out of a read-only memory map), sorted by name.
// A malformed file is an Error that names the file and the problem.
StateDict load(const std::string& path, Metadata* metadata = nullptr);

}  // namespace ember
