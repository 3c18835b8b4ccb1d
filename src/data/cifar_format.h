// CIFAR-10/100's binary format: fixed-size records of label byte(s) (CIFAR-100:
// coarse then fine) and a 3 x 32 x 32 image stored plane by plane (R, G, B).
// Kept free of Tensor so the parser can be fuzzed alone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ember::data::cifar {

// Appends the records of one file's bytes: each label to `labels` and each
// image to `pixels` as 32 x 32 x 3 (the layout torchvision keeps). A size that
// is not a whole number of records, or a label outside the classes, is an
// Error naming `path`; nothing is appended then.
void append_records(const std::vector<uint8_t>& bytes, bool hundred, const std::string& path,
                    std::vector<uint8_t>& pixels, std::vector<uint8_t>& labels);

}  // namespace ember::data::cifar
