// A state dict: tensors by name, in registration order (PyTorch's
// OrderedDict of module.state_dict()). Below nn, so io and optim can speak it
// without depending on modules.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ember/tensor.h"

namespace ember {

using StateDict = std::vector<std::pair<std::string, Tensor>>;

namespace nn {
using ember::StateDict;  // the name modules and their users have always spelled
}  // namespace nn

}  // namespace ember
