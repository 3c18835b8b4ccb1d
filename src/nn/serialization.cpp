// Modules through safetensors: their state dicts, saved and loaded by io.
#include "ember/nn/serialization.h"

namespace ember {

void save(nn::Module& module, const std::string& path, const Metadata& metadata) {
  save(module.state_dict(), path, metadata);
}

void load(nn::Module& module, const std::string& path, bool strict) { module.load_state_dict(load(path), strict); }

}  // namespace ember
