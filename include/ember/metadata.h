// String metadata (safetensors' "__metadata__", optimizer and scheduler
// scalars) and checked readers for it: a value that is missing or is not the
// number it should be is an Error naming the key and where it came from,
// never an uncaught std::invalid_argument.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace ember {

using Metadata = std::map<std::string, std::string>;

// `where` names the source in the error ("checkpoint runs/a/last.safetensors").
double metadata_double(const Metadata& metadata, const std::string& key, const std::string& where);
int64_t metadata_int(const Metadata& metadata, const std::string& key, const std::string& where);
uint64_t metadata_uint(const Metadata& metadata, const std::string& key, const std::string& where);
const std::string& metadata_string(const Metadata& metadata, const std::string& key, const std::string& where);

}  // namespace ember
