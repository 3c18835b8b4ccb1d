// nn::init: in-place weight initializers with PyTorch's names and formulas.
// Each runs without recording gradients and returns its argument.
#pragma once

#include <string>

#include "ember/generator.h"
#include "ember/tensor.h"

namespace ember::nn::init {

enum class FanMode { fan_in, fan_out };

// The recommended gain for a nonlinearity: linear/conv*/sigmoid 1, tanh 5/3,
// relu sqrt(2), leaky_relu sqrt(2 / (1 + param^2)), selu 3/4.
double calculate_gain(const std::string& nonlinearity, double param = 0.01);
// {fan_in, fan_out} of a weight (out, in, kernel...).
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t);

Tensor& uniform_(Tensor& t, double a = 0.0, double b = 1.0, Generator* generator = nullptr);
Tensor& normal_(Tensor& t, double mean = 0.0, double std = 1.0, Generator* generator = nullptr);
Tensor& constant_(Tensor& t, double value);
Tensor& zeros_(Tensor& t);
Tensor& ones_(Tensor& t);
Tensor& eye_(Tensor& t);    // 2-D only
Tensor& dirac_(Tensor& t, int64_t groups = 1);  // 3-, 4- or 5-D conv weights
Tensor& xavier_uniform_(Tensor& t, double gain = 1.0, Generator* generator = nullptr);
Tensor& xavier_normal_(Tensor& t, double gain = 1.0, Generator* generator = nullptr);
Tensor& kaiming_uniform_(Tensor& t, double a = 0.0, FanMode mode = FanMode::fan_in,
                         const std::string& nonlinearity = "leaky_relu", Generator* generator = nullptr);
Tensor& kaiming_normal_(Tensor& t, double a = 0.0, FanMode mode = FanMode::fan_in,
                        const std::string& nonlinearity = "leaky_relu", Generator* generator = nullptr);
// A (semi-)orthogonal matrix (rows or columns orthonormal) from a normal draw,
// scaled by gain; tensors of more than 2 dims are treated as (size(0), rest).
Tensor& orthogonal_(Tensor& t, double gain = 1.0, Generator* generator = nullptr);
// Normal(mean, std) redrawn until inside [a, b] (by inverse CDF, no loop).
Tensor& trunc_normal_(Tensor& t, double mean = 0.0, double std = 1.0, double a = -2.0, double b = 2.0,
                      Generator* generator = nullptr);

}  // namespace ember::nn::init
