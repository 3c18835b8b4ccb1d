#!/usr/bin/python3
"""Writes tests/golden/ops.txt: inputs and PyTorch's outputs for every op in the
parity table (tests/parity_test.cpp), and PyTorch's gradients. Run with
Debian's python3-torch:

    /usr/bin/python3 tests/golden/make_fixtures.py

Format, one line each: `case NAME`, then `in DTYPE NDIM DIMS... VALUES...` per
input, then `out DTYPE NDIM DIMS... VALUES...` per output. When the first
output is floating and some input is float64, a `cot` line (a random
cotangent v of the first output's shape) and one `grad` line per float64 input
follow: d(sum(v * out0))/d(input), zeros where the output does not depend on
it. Values are written with repr() so float64 round-trips exactly.
"""
import math
import os

import torch

torch.manual_seed(1234)
f64 = torch.float64


def randn(*shape):
    return torch.randn(*shape, dtype=f64)


def positive(*shape):
    return torch.rand(*shape, dtype=f64) + 0.1


def ints(*shape, high=5):
    return torch.randint(0, high, shape)


def inplace_through_view(x, w):
    y = x * w
    y[1].mul_(2)
    y[:, 2:].add_(x[:, :2] * 3)
    return y


def inplace_through_strided_view(x, v):
    y = x.sin()
    y.t()[1:3, ::2].mul_(v.t())  # a strided region of a transposed view
    return y.sin()


def copy_into_rows_of_a_buffer(x):
    out = torch.zeros(3, 4, dtype=f64)
    for i in range(3):
        out[i].copy_(x[i] * (i + 1))
    return out


def inplace_view_then_older_view(x):
    y = x * 1
    first = y[0]
    y[:2].mul_(3)  # changes `first`'s cells: `first`, taken before, follows y's new history
    return first * 2 + y.sum(0)


def put_columns(x, v):
    y = x.clone()
    y[:, torch.tensor([3, 0])] = v  # values (2) broadcast to the indexed (3, 2, 2)
    return y


def attention(q, k, v, mask=None, causal=False, scale=None):
    scores = q @ k.transpose(-2, -1) * (q.size(-1) ** -0.5 if scale is None else scale)
    if causal:
        mask = torch.ones(q.size(-2), k.size(-2), dtype=torch.bool).tril()
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    return torch.softmax(scores, -1) @ v


# name -> (inputs, function). Non-contiguity is applied inside the function
# (e.g. .t()) so both frameworks see the same strided views.
CASES = {
    "add": ([randn(3, 1), randn(1, 4)], lambda a, b: a + b),
    "add_alpha": ([randn(2, 3), randn(3)], lambda a, b: torch.add(a, b, alpha=2.5)),
    "sub": ([randn(4, 3), randn(3, 4)], lambda a, b: a - b.t()),
    "mul": ([randn(2, 3, 4), randn(4)], lambda a, b: a * b),
    "div": ([randn(3, 4), positive(3, 4)], lambda a, b: a / b),
    "div_int": ([ints(3, 4), ints(3, 4) + 1], lambda a, b: a / b),
    "pow": ([positive(3, 4), randn(3, 4)], lambda a, b: torch.pow(a, b)),
    "pow_scalar": ([randn(3, 4)], lambda a: torch.pow(a, 3)),
    "maximum": ([randn(3, 4), randn(4)], torch.maximum),
    "minimum": ([randn(3, 4), randn(4)], torch.minimum),
    "neg": ([randn(3, 4)], torch.neg),
    "abs": ([randn(3, 4)], torch.abs),
    "sqrt": ([positive(3, 4)], torch.sqrt),
    "rsqrt": ([positive(3, 4)], torch.rsqrt),
    "exp": ([randn(5, 7)], torch.exp),
    "log": ([positive(5, 7)], torch.log),
    "log1p": ([positive(5, 7)], torch.log1p),
    "expm1": ([randn(5, 7)], torch.expm1),
    "sin": ([randn(5, 7)], torch.sin),
    "cos": ([randn(5, 7)], torch.cos),
    "tanh": ([randn(5, 7)], torch.tanh),
    "sigmoid": ([randn(5, 7)], torch.sigmoid),
    "relu": ([randn(5, 7)], torch.relu),
    "floor": ([randn(5, 7) * 3], torch.floor),
    "ceil": ([randn(5, 7) * 3], torch.ceil),
    "round": ([torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, 0.49, 2.51], dtype=f64)], torch.round),
    "sign": ([randn(5, 7)], torch.sign),
    "reciprocal": ([positive(5, 7)], torch.reciprocal),
    "square": ([randn(5, 7)], torch.square),
    "clamp": ([randn(5, 7)], lambda a: torch.clamp(a, -0.5, 0.7)),
    "where": ([randn(3, 4), randn(3, 4), randn(4)], lambda c, a, b: torch.where(c > 0, a, b)),
    "sum_dims": ([randn(3, 4, 5)], lambda a: a.sum(dim=(0, 2))),
    "sum_keepdim": ([randn(3, 4, 5)], lambda a: a.sum(dim=1, keepdim=True)),
    "sum_transposed": ([randn(6, 5)], lambda a: a.t().sum(dim=1)),
    "mean_dim": ([randn(3, 4, 5)], lambda a: a.mean(dim=-1)),
    "prod_dim": ([randn(3, 4)], lambda a: a.prod(dim=0)),
    "amax": ([randn(3, 4, 5)], lambda a: a.amax(dim=(1, 2))),
    "amin": ([randn(3, 4, 5)], lambda a: a.amin(dim=0)),
    "max_dim": ([randn(4, 6)], lambda a: tuple(torch.max(a, dim=1))),
    "min_dim": ([randn(4, 6)], lambda a: tuple(torch.min(a, dim=0))),
    "argmax": ([randn(4, 6)], lambda a: torch.argmax(a, dim=1)),
    "argmin": ([randn(4, 6)], lambda a: torch.argmin(a)),
    "var": ([randn(4, 6)], lambda a: torch.var(a, dim=1)),
    "var_correction0": ([randn(4, 6)], lambda a: torch.var(a, dim=0, unbiased=False)),
    "std": ([randn(4, 6)], lambda a: torch.std(a)),
    "norm2": ([randn(4, 6)], lambda a: torch.norm(a, p=2, dim=1)),
    "norm1": ([randn(4, 6)], lambda a: torch.norm(a, p=1)),
    "norm3": ([randn(4, 6)], lambda a: torch.norm(a, p=3, dim=0)),
    "norm_inf": ([randn(4, 6)], lambda a: torch.norm(a, p=float("inf"), dim=1)),
    "logsumexp": ([randn(4, 6) * 50], lambda a: torch.logsumexp(a, dim=1)),
    "cumsum": ([randn(3, 4, 5)], lambda a: torch.cumsum(a, dim=1)),
    "matmul_2d": ([randn(3, 4), randn(4, 5)], torch.matmul),
    "matmul_batched": ([randn(2, 1, 3, 4), randn(5, 4, 2)], torch.matmul),
    "matmul_vec": ([randn(3, 4), randn(4)], torch.matmul),
    "matmul_transposed": ([randn(4, 3), randn(5, 4)], lambda a, b: torch.matmul(a.t(), b.t())),
    "bmm": ([randn(2, 3, 4), randn(2, 4, 5)], torch.bmm),
    "outer": ([randn(3), randn(4)], torch.outer),
    "einsum_attention": ([randn(2, 3, 4, 5), randn(2, 3, 6, 5)], lambda q, k: torch.einsum("bhqd,bhkd->bhqk", q, k)),
    "einsum_trace": ([randn(4, 4)], lambda a: torch.einsum("ii->", a)),
    "cat": ([randn(2, 3), randn(4, 3)], lambda a, b: torch.cat([a, b], dim=0)),
    "stack": ([randn(2, 3), randn(2, 3)], lambda a, b: torch.stack([a, b], dim=1)),
    "index_select": ([randn(5, 3), torch.tensor([4, 0, 2, 2])], lambda a, i: torch.index_select(a, 0, i)),
    "gather": ([randn(3, 5), ints(3, 2)], lambda a, i: torch.gather(a, 1, i)),
    "scatter_add": ([randn(3, 5), ints(3, 4), randn(3, 4)], lambda a, i, s: torch.scatter_add(a, 1, i, s)),
    "masked_select": ([randn(3, 4)], lambda a: torch.masked_select(a, a > 0)),
    "sort": ([randn(3, 6)], lambda a: tuple(torch.sort(a, dim=1, descending=True))),
    "topk": ([randn(3, 6)], lambda a: tuple(torch.topk(a, 3, dim=1))),
    "repeat": ([randn(2, 3)], lambda a: a.repeat(2, 1, 3)),
    "flip": ([randn(2, 3, 4)], lambda a: torch.flip(a, dims=(0, 2))),
    "erf": ([randn(5, 7)], torch.erf),
    # pointwise composites (strided operands via .t())
    "clamp_tensor_bounds": ([randn(4, 3), randn(3) - 0.5, randn(4, 1) + 0.5],
                            lambda x, lo, hi: torch.clamp(x, lo, hi)),
    "clamp_tensor_min_only": ([randn(3, 4), randn(4, 3)], lambda x, lo: torch.clamp(x, min=lo.t())),
    "lerp_scalar": ([randn(3, 4), randn(3, 4)], lambda a, b: torch.lerp(a, b, 0.75)),
    "lerp_tensor": ([randn(4, 3), randn(3), torch.rand(4, 1, dtype=f64) * 1.5 - 0.25],
                    lambda a, b, w: torch.lerp(a.t().t(), b, w)),
    "addcmul": ([randn(3, 4), randn(4, 3), randn(4)], lambda x, a, b: torch.addcmul(x, a.t(), b, value=0.5)),
    "addcdiv": ([randn(3, 4), randn(3, 4), positive(3, 4)], lambda x, a, b: torch.addcdiv(x, a, b, value=-2)),
    # inspection and closeness
    "isnan_isinf_isfinite": ([torch.tensor([[1.0, float("nan"), float("inf")], [-float("inf"), 0.0, -2.5]], dtype=f64)],
                             lambda x: (torch.isnan(x), torch.isinf(x), torch.isfinite(x.t()))),
    "nan_to_num": ([torch.tensor([[1.0, float("nan"), float("inf")], [-float("inf"), 0.5, -2.5]], dtype=f64)],
                   lambda x: torch.nan_to_num(x, nan=0.25, neginf=-7.0)),
    "isclose": ([torch.tensor([1.0, 1.0 + 1e-6, 2.0, float("inf"), float("nan"), 1e10], dtype=f64),
                 torch.tensor([1.0, 1.0, 2.1, float("inf"), float("nan"), 1e10 + 1e4], dtype=f64)],
                lambda a, b: (torch.isclose(a, b), torch.isclose(a, b, rtol=0.1, equal_nan=True),
                              torch.tensor([torch.allclose(a[:2], b[:2]), torch.equal(a, a)]))),
    # splitting, moving, triangles
    "unbind": ([randn(3, 4)], lambda x: torch.unbind(x.t(), 1)),
    "roll_dims": ([randn(3, 4, 2)], lambda x: torch.roll(x, shifts=(1, -5), dims=(0, 1))),
    "roll_flat": ([randn(3, 4)], lambda x: torch.roll(x.t(), 5)),
    "tril": ([randn(2, 3, 4)], lambda x: torch.tril(x, -1)),
    "triu": ([randn(4, 3)], lambda x: torch.triu(x.t(), 1)),
    # indexing composites
    "take_along_dim": ([randn(3, 4), torch.tensor([[0, 3, 3], [1, 0, 2]])],
                       lambda x, i: torch.take_along_dim(x, i.t(), dim=1)),
    "take_along_dim_broadcast": ([randn(3, 4), torch.tensor([[2], [0]])],
                                 lambda x, i: torch.take_along_dim(x.unsqueeze(0), i.unsqueeze(2), dim=1)),
    "take_along_dim_flat": ([randn(3, 4), torch.tensor([11, 0, 5, 5])], lambda x, i: torch.take_along_dim(x, i)),
    "repeat_interleave": ([randn(3, 2)], lambda x: torch.repeat_interleave(x.t(), 2)),
    "repeat_interleave_tensor": ([randn(3, 2), torch.tensor([2, 0, 3])],
                                 lambda x, r: torch.repeat_interleave(x, r, dim=0)),
    "masked_scatter": ([randn(3, 4), torch.tensor([True, False, True, True]), randn(12)],
                       lambda x, m, s: x.t().masked_scatter(m.view(4, 1), s)),
    # einsum: ellipsis, broadcasting, several operands
    "einsum_ellipsis_batched": ([randn(2, 1, 3, 4), randn(5, 4, 2)], lambda a, b: torch.einsum("...ij,...jk", a, b)),
    "einsum_ellipsis_reduce": ([randn(2, 3, 4), randn(2)], lambda x, w: torch.einsum("b...,b->...", x, w)),
    "einsum_ellipsis_transpose": ([randn(4, 2, 3)], lambda x: torch.einsum("i...->...i", x.transpose(0, 2))),
    "einsum_three": ([randn(2, 3), randn(3, 4), randn(4, 5)], lambda a, b, c: torch.einsum("ij,jk,kl->il", a, b, c)),
    "einsum_four_implicit": ([randn(3), randn(3, 2), randn(2, 4), randn(4)],
                             lambda a, b, c, d: torch.einsum("i,ij,jk,k", a, b, c, d)),
    "einsum_broadcast_one": ([randn(3, 4), randn(1, 4)], lambda a, b: torch.einsum("ij,ij->ij", a, b)),
    # remainder, fmod and the rounded divisions (appended, so the cases above keep their inputs)
    "remainder": ([positive(3, 4) * 2, positive(4)], torch.remainder),
    "remainder_scalar": ([positive(3, 4) * 2], lambda a: torch.remainder(a, -1.5)),
    "fmod": ([positive(3, 4) * 2, positive(4)], lambda a, b: torch.fmod(a.t().t(), b)),
    "fmod_transposed": ([positive(4, 3) * 2, positive(3, 4)], lambda a, b: a.t().fmod(b)),
    # floor_divide has no derivative in PyTorch (an error); Ember's is zero, as for
    # div(rounding_mode="floor"), so the fixture differentiates a detached copy.
    "floor_divide": ([positive(3, 4) * 2, positive(4)], lambda a, b: torch.floor_divide(a.detach(), b.detach())),
    "div_trunc": ([positive(3, 4) * 2, positive(4)], lambda a, b: torch.div(a, b, rounding_mode="trunc")),
    "div_floor_scalar": ([positive(3, 4) * 2], lambda a: a.div(0.75, rounding_mode="floor")),
    "remainder_int": ([ints(3, 4, high=40) - 20, torch.tensor([3, -3, 7, -7])], torch.remainder),
    "fmod_int": ([ints(3, 4, high=40) - 20, torch.tensor([3, -3, 7, -7])], torch.fmod),
    "floor_divide_int": ([ints(3, 4, high=40) - 20, torch.tensor([3, -3, 7, -7])], torch.floor_divide),
    "div_trunc_int": ([ints(3, 4, high=40) - 20, torch.tensor([3, -3, 7, -7])],
                      lambda a, b: torch.div(a, b, rounding_mode="trunc")),
    "div_floor_int_scalar": ([ints(3, 4, high=40) - 20], lambda a: torch.div(a, -3, rounding_mode="floor")),
    "remainder_mixed_signs": ([randn(3, 4) * 5, randn(4)], torch.remainder),
    "floor_divide_mixed_signs": ([randn(3, 4) * 5, randn(4)], lambda a, b: torch.floor_divide(a.detach(), b.detach())),
    # in-place ops through views of non-leaf tensors (PyTorch's CopySlices)
    "inplace_through_view": ([randn(3, 4), randn(3, 4)], inplace_through_view),
    "inplace_through_strided_view": ([randn(3, 4), randn(2, 2)], inplace_through_strided_view),
    "copy_into_rows_of_a_buffer": ([randn(3, 4)], copy_into_rows_of_a_buffer),
    "inplace_view_then_older_view": ([randn(3, 4)], inplace_view_then_older_view),
    # attention, blockwise (Debian's PyTorch 1.13 has no F.scaled_dot_product_attention: the formula)
    "sdpa_blockwise": ([randn(2, 7, 4), randn(2, 5, 4), randn(2, 5, 3)], lambda q, k, v: attention(q, k, v)),
    "sdpa_blockwise_causal_scale": ([randn(1, 2, 6, 4), randn(1, 2, 6, 4), randn(1, 2, 6, 4)],
                                    lambda q, k, v: attention(q, k, v, causal=True, scale=0.3)),
    "sdpa_blockwise_float_mask": ([randn(6, 4), randn(5, 4), randn(5, 2), randn(6, 5)],
                                  lambda q, k, v, m: attention(q.t().t(), k, v, mask=m)),
    "sdpa_blockwise_bool_mask": ([randn(2, 6, 4), randn(2, 5, 4), randn(2, 5, 3)],
                                 lambda q, k, v: attention(q, k.transpose(0, 1).transpose(0, 1), v,
                                                           mask=torch.tensor([[True, False, True, True, False]]))),
    "cumprod": ([randn(3, 5)], lambda x: torch.cumprod(x, 1)),
    "cumprod_zeros": ([torch.tensor([[2.0, 0.0, 3.0, 0.0, 0.5], [0.0, 1.5, -2.0, 4.0, 1.0], [1.0, 2.0, 0.0, 3.0, 2.0]],
                                    dtype=f64)], lambda x: torch.cumprod(x.t(), 0)),
    "cumprod_int": ([ints(3, 4, high=4) - 1], lambda x: torch.cumprod(x, 1)),
    "logcumsumexp": ([randn(4, 3) * 3], lambda x: torch.logcumsumexp(x.t(), 1)),
    "logcumsumexp_extremes": ([torch.tensor([[1e300, 1e300, -1e300, 2.0], [-math.inf, -math.inf, 0.0, math.inf]],
                                            dtype=f64)], lambda x: torch.logcumsumexp(x, 1)),
    "index_two_tensors": ([randn(4, 5, 3)], lambda x: x[torch.tensor([[0, 3], [2, -1]]), torch.tensor([1, 4])]),
    "index_split_by_a_slice": ([randn(3, 4, 5)], lambda x: x.transpose(1, 2)[torch.tensor([0, 2]), :,
                                                                          torch.tensor([1, 3])]),
    "index_middle_dims": ([randn(2, 4, 5)], lambda x: x[:, torch.tensor([[0, 1], [3, 3]]), torch.tensor([2])]),
    "index_bool_mask": ([randn(3, 4)], lambda x: x[x > 0.3]),
    "index_bool_and_int": ([randn(3, 4, 2)], lambda x: x[torch.tensor([True, False, True]), torch.tensor([1, 3])]),
    "index_put_accumulate_duplicates": ([randn(4, 3), randn(5, 3)],
                                        lambda x, v: x.index_put((torch.tensor([0, 2, 0, 0, 3]),), v, accumulate=True)),
    "index_put_two_tensors": ([randn(3, 4), randn(2)],
                              lambda x, v: x.index_put((torch.tensor([0, 2]), torch.tensor([1, -1])), v)),
    "index_put_slice_broadcast": ([randn(3, 4, 2), randn(2)], put_columns),
    "sdpa_long": ([randn(1, 300, 8), randn(1, 300, 8), randn(1, 300, 8)], lambda q, k, v: attention(q, k, v, causal=True)),
}

DTYPES = {torch.float64: "float64", torch.float32: "float32", torch.int64: "int64", torch.bool: "bool"}


def line(kind, t):
    t = t.contiguous()
    dims = " ".join(str(d) for d in t.shape)
    values = " ".join(repr(v) if isinstance(v, float) else str(int(v)) for v in t.flatten().tolist())
    return f"{kind} {DTYPES[t.dtype]} {t.dim()} {dims} {values}".replace("  ", " ").rstrip()


def gradients(inputs, fn, out0):
    """The `cot` and `grad` lines of one case (none for non-differentiable ones)."""
    if not out0.is_floating_point() or not any(t.dtype == f64 for t in inputs):
        return []
    leaves = [t.detach().clone().requires_grad_(t.dtype == f64) for t in inputs]
    out = fn(*leaves)
    out = out[0] if isinstance(out, tuple) else out
    gen = torch.Generator().manual_seed(99)
    v = torch.randn(out.shape, dtype=out.dtype, generator=gen)
    wrt = [t for t in leaves if t.requires_grad]
    grads = torch.autograd.grad(out, wrt, v, allow_unused=True) if out.requires_grad else [None] * len(wrt)
    lines = [line("cot", v)]
    for t, g in zip(wrt, grads):
        lines.append(line("grad", torch.zeros_like(t) if g is None else g))
    return lines


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ops.txt")
    with open(path, "w") as f:
        f.write(f"# PyTorch {torch.__version__} outputs, written by tests/golden/make_fixtures.py\n")
        for name, (inputs, fn) in CASES.items():
            outputs = fn(*inputs)
            outputs = outputs if isinstance(outputs, tuple) else (outputs,)
            f.write(f"case {name}\n")
            for t in inputs:
                f.write(line("in", t) + "\n")
            for t in outputs:
                f.write(line("out", t) + "\n")
            for t in gradients(inputs, fn, outputs[0]):
                f.write(t + "\n")
    print(f"wrote {len(CASES)} cases to {path}")


if __name__ == "__main__":
    main()
