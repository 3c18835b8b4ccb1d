// A module's state dict to and from a safetensors file (ember/io.h).
//   ember::save(model, "model.safetensors");
//   ember::load(model, "model.safetensors");   // strict, like load_state_dict
#pragma once

#include <string>

#include "ember/io.h"
#include "ember/nn/module.h"

namespace ember {

void save(nn::Module& module, const std::string& path, const Metadata& metadata = {});
// load(path) then module.load_state_dict(..., strict).
void load(nn::Module& module, const std::string& path, bool strict = true);

}  // namespace ember
