// The regular elementwise ops, listed once. ops.h declares a free function for
// each, tensor.h a method and an in-place method; src/ops defines all three
// from the same list, and the math of each (scalar and SIMD functor, backward
// rule) is its entry in src/backend/elementwise_math.h. Adding an op here is
// one line (see docs/adding-an-op.md).
#pragma once

// Unary ops: `Tensor name(const Tensor& x)`, `x.name()` and `x.name_()`. Integer
// inputs give the default float dtype for the transcendental ones (sqrt, exp,
// sigmoid, ...), as in PyTorch; neg, abs, relu, sign, square keep integers and
// floor, ceil, round return them unchanged.
#define EMBER_UNARY_OPS(X)                                                    \
  X(neg)         /* -x */                                                     \
  X(abs)         /* |x| */                                                    \
  X(sqrt)        /* x^(1/2) */                                                \
  X(rsqrt)       /* x^(-1/2) */                                               \
  X(exp)         /* e^x */                                                    \
  X(log)         /* ln x */                                                   \
  X(log1p)       /* ln(1 + x) */                                              \
  X(expm1)       /* e^x - 1 */                                                \
  X(sin)                                                                      \
  X(cos)                                                                      \
  X(tanh)                                                                     \
  X(sigmoid)     /* 1 / (1 + e^-x) */                                         \
  X(relu)        /* max(x, 0); NaN stays NaN */                               \
  X(floor)                                                                    \
  X(ceil)                                                                     \
  X(round)       /* half to even */                                           \
  X(sign)        /* -1, 0 or 1 */                                             \
  X(reciprocal)  /* 1 / x */                                                  \
  X(square)      /* x * x */                                                  \
  X(erf)         /* 2/sqrt(pi) * integral of exp(-t^2) from 0 to x */         \
  X(logical_not) /* x == 0, as bool (in place: 1 or 0 in x's dtype) */

// Binary ops with a tensor or a scalar right operand, broadcasting:
// `name(a, b)`, `a.name(b)` and `a.name_(b)`. (add/sub with alpha, pow, maximum,
// minimum, the comparisons and the logical ops have their own forms in ops.h.)
// Integer remainder, fmod and floor_divide by zero are an Error, as in PyTorch.
#define EMBER_BINARY_OPS(X)                                                               \
  X(mul)                                                                                  \
  X(div)          /* true division: integers give floats */                               \
  X(remainder)    /* a - b floor(a / b): the sign of b, as Python's % */                  \
  X(fmod)         /* a - b trunc(a / b): the sign of a, as C's fmod */                    \
  X(floor_divide) /* floor(a / b); integers stay integers (div(a, b, "floor")) */
