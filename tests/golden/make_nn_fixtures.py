#!/usr/bin/python3
"""Writes tests/golden/nn.txt: for every layer and loss case of
tests/nn_parity_test.cpp, PyTorch's parameters, outputs and gradients.
Run with Debian's python3-torch:

    /usr/bin/python3 tests/golden/make_nn_fixtures.py

With libopenblas0-pthread installed, PyTorch's matmuls round differently in the
last digits; LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/blas (the reference BLAS)
reproduces the committed values bit for bit.

One line each, float32 unless said:
  case NAME
  mode train|eval
  param NAME DTYPE NDIM DIMS... VALUES...   (the module's state dict before forward)
  in DTYPE NDIM DIMS... VALUES...           (inputs; float ones listed in `grad_of` need grad)
  out ...                                   (the first output)
  buffer NAME ...                           (the state dict's buffers after forward)
  cot ...                                   (a random cotangent of the output)
  grad_in INDEX ...                         (d sum(cot * out) / d input[INDEX])
  grad_param NAME ...                       (d sum(cot * out) / d parameter)
"""
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(4321)


def randn(*shape):
    return torch.randn(*shape)


EDGE = torch.Generator().manual_seed(99)


def edge_randn(*shape):
    return torch.randn(*shape, generator=EDGE)


MORE = torch.Generator().manual_seed(2026)


def more_randn(*shape):
    return torch.randn(*shape, generator=MORE)


def more_rand(*shape):
    return torch.rand(*shape, generator=MORE)


def more_signs(*shape):
    return torch.randint(0, 2, shape, generator=MORE).float() * 2 - 1


def more_counts(*shape):
    return torch.randint(0, 6, shape, generator=MORE).float()


def rms_norm(x, shape, weight, eps):
    """The reference formula (Debian's PyTorch 1.13 predates F.rms_norm); eps None is the dtype's epsilon."""
    dims = tuple(range(-len(shape), 0))
    eps = torch.finfo(x.dtype).eps if eps is None else eps
    y = x * torch.rsqrt(x.pow(2).mean(dims, keepdim=True) + eps)
    return y if weight is None else y * weight


def rope(x):
    """Rotary positions, the rotate-half form: pair (x_i, x_{i+D/2}) at position p turns by p * 10000^(-2i/D)."""
    length, d = x.shape[-2:]
    half = d // 2
    inv = 10000.0 ** (-2 * torch.arange(half, dtype=torch.float64) / d)
    angle = torch.arange(length, dtype=torch.float64)[:, None] * inv[None, :]
    angle = torch.cat([angle, angle], -1)
    rotated = torch.cat([-x[..., half:], x[..., :half]], -1)
    return x * angle.cos().to(x.dtype) + rotated * angle.sin().to(x.dtype)


def alibi_slopes(n):
    """The ALiBi paper's head slopes."""
    def powers(m):
        start = 2 ** (-8 / m)
        return [start ** (i + 1) for i in range(m)]
    closest = 2 ** math.floor(math.log2(n))
    if closest == n:
        return powers(n)
    return powers(closest) + alibi_slopes(2 * closest)[0::2][:n - closest]


class RelativeAttention(nn.Module):
    """Multi-head self-attention with rotary or ALiBi positions, parameters named as nn.MultiheadAttention's."""

    def __init__(self, e, h, positions):
        super().__init__()
        self.h, self.positions = h, positions
        self.in_proj_weight = nn.Parameter(torch.empty(3 * e, e))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * e))
        self.out_proj = nn.Linear(e, e)
        nn.init.xavier_uniform_(self.in_proj_weight)
        nn.init.zeros_(self.out_proj.bias)

    def forward(self, x, causal=False):  # (L, N, E) -> output and head-averaged weights, flattened
        length, n, e = x.shape
        d = e // self.h
        q, k, v = (t.view(length, n, self.h, d).permute(1, 2, 0, 3)
                   for t in F.linear(x, self.in_proj_weight, self.in_proj_bias).chunk(3, -1))
        if self.positions == "rope":
            q, k = rope(q), rope(k)
        scores = q @ k.transpose(-2, -1) / math.sqrt(d)
        if self.positions == "alibi":
            distance = (torch.arange(length)[:, None] - torch.arange(length)[None, :]).abs().double()
            scores = scores + (-torch.tensor(alibi_slopes(self.h), dtype=torch.float64)[:, None, None]
                               * distance).to(scores.dtype)
        if causal:
            scores = scores.masked_fill(torch.ones(length, length, dtype=torch.bool).triu(1), float("-inf"))
        w = torch.softmax(scores, -1)
        out = self.out_proj((w @ v).permute(2, 0, 1, 3).reshape(length, n, e))
        return flat(out, w.mean(1))


class GatedEncoderLayer(nn.TransformerEncoderLayer):
    """TransformerEncoderLayer with a gated feed-forward block: linear2(act(a) * b), (a, b) = linear1(x)."""

    def __init__(self, d, h, ff, gate, norm_first=False):
        super().__init__(d, h, dim_feedforward=ff, dropout=0.0, norm_first=norm_first)
        self.linear1 = nn.Linear(d, 2 * ff)
        self.gate = gate

    def _ff_block(self, x):
        a, b = self.linear1(x).chunk(2, -1)
        return self.dropout2(self.linear2(self.dropout((F.silu(a) if self.gate == "swiglu" else F.gelu(a)) * b)))


def _lstm_outputs(result):
    out, (h, c) = result
    return out, h, c


def labels(n, classes, *rest):
    return torch.randint(0, classes, (n,) + rest)


def probs(*shape):
    return torch.softmax(torch.randn(*shape), dim=-1)


def signs(n):
    return torch.randint(0, 2, (n,)).float() * 2 - 1


def module(m, mode="train", setup=None, call=None):
    """A case built from a module: (module factory, mode, setup on the module,
    how to call it and flatten its outputs into one tensor)."""
    return ("module", m, mode, setup, call)


def flat(*ts):
    return torch.cat([t.flatten() for t in ts])


def fn(f):
    return ("fn", f, "train", None, None)


def sdpa(q, k, v, mask=None, causal=False):
    """The reference formula (Debian's PyTorch 1.13 predates F.scaled_dot_product_attention)."""
    scores = q @ k.transpose(-2, -1) / q.size(-1) ** 0.5
    if causal:
        mask = torch.ones(q.size(-2), k.size(-2), dtype=torch.bool).tril()
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    return torch.softmax(scores, -1) @ v


def randomize_stats(m):
    with torch.no_grad():
        m.running_mean.copy_(torch.randn(m.running_mean.shape))
        m.running_var.copy_(torch.rand(m.running_var.shape) + 0.5)


# name -> (kind, inputs, indices of inputs that need grad)
CASES = {
    "identity": (module(lambda: nn.Identity()), [randn(3, 4)], [0]),
    "linear": (module(lambda: nn.Linear(5, 3)), [randn(4, 5)], [0]),
    "linear_nobias_3d": (module(lambda: nn.Linear(5, 3, bias=False)), [randn(2, 4, 5)], [0]),
    "bilinear": (module(lambda: nn.Bilinear(3, 4, 2)), [randn(5, 3), randn(5, 4)], [0, 1]),
    "flatten": (module(lambda: nn.Flatten()), [randn(2, 3, 4)], [0]),
    "unflatten": (module(lambda: nn.Unflatten(1, (3, 4))), [randn(2, 12)], [0]),
    "relu": (module(lambda: nn.ReLU()), [randn(3, 4)], [0]),
    "relu6": (module(lambda: nn.ReLU6()), [randn(3, 4) * 4], [0]),
    "leaky_relu": (module(lambda: nn.LeakyReLU(0.2)), [randn(3, 4)], [0]),
    "elu": (module(lambda: nn.ELU(0.7)), [randn(3, 4)], [0]),
    "selu": (module(lambda: nn.SELU()), [randn(3, 4)], [0]),
    "gelu": (module(lambda: nn.GELU()), [randn(3, 4)], [0]),
    "gelu_tanh": (module(lambda: nn.GELU(approximate="tanh")), [randn(3, 4)], [0]),
    "silu": (module(lambda: nn.SiLU()), [randn(3, 4)], [0]),
    "mish": (module(lambda: nn.Mish()), [randn(3, 4)], [0]),
    "hardswish": (module(lambda: nn.Hardswish()), [randn(3, 4) * 3], [0]),
    "hardsigmoid": (module(lambda: nn.Hardsigmoid()), [randn(3, 4) * 3], [0]),
    "sigmoid": (module(lambda: nn.Sigmoid()), [randn(3, 4)], [0]),
    "tanh": (module(lambda: nn.Tanh()), [randn(3, 4)], [0]),
    "softplus": (module(lambda: nn.Softplus(beta=2.0, threshold=3.0)), [randn(3, 4) * 2], [0]),
    "softmax": (module(lambda: nn.Softmax(dim=1)), [randn(3, 4)], [0]),
    "log_softmax": (module(lambda: nn.LogSoftmax(dim=0)), [randn(3, 4)], [0]),
    "prelu": (module(lambda: nn.PReLU()), [randn(3, 4)], [0]),
    "prelu_channels": (module(lambda: nn.PReLU(4, 0.1)), [randn(2, 4, 3)], [0]),
    "dropout_eval": (module(lambda: nn.Dropout(0.5), "eval"), [randn(3, 4)], [0]),
    "batchnorm1d_train": (module(lambda: nn.BatchNorm1d(4)), [randn(8, 4)], [0]),
    "batchnorm1d_3d_train": (module(lambda: nn.BatchNorm1d(3, momentum=0.3)), [randn(4, 3, 5)], [0]),
    "batchnorm1d_eval": (module(lambda: nn.BatchNorm1d(4), "eval", randomize_stats), [randn(8, 4)], [0]),
    "batchnorm2d_train": (module(lambda: nn.BatchNorm2d(3)), [randn(2, 3, 4, 5)], [0]),
    "batchnorm2d_eval": (module(lambda: nn.BatchNorm2d(3, eps=1e-3), "eval", randomize_stats), [randn(2, 3, 4, 5)], [0]),
    "batchnorm2d_no_affine": (module(lambda: nn.BatchNorm2d(3, affine=False)), [randn(2, 3, 2, 2)], [0]),
    "batchnorm1d_no_stats_eval": (module(lambda: nn.BatchNorm1d(4, track_running_stats=False), "eval"), [randn(6, 4)], [0]),
    "layernorm": (module(lambda: nn.LayerNorm([4, 5])), [randn(3, 4, 5)], [0]),
    "layernorm_no_affine": (module(lambda: nn.LayerNorm(5, elementwise_affine=False)), [randn(3, 5)], [0]),
    "embedding": (module(lambda: nn.Embedding(10, 3)), [torch.tensor([[1, 2, 4], [4, 9, 0]])], []),
    "embedding_padding": (module(lambda: nn.Embedding(10, 3, padding_idx=2)), [torch.tensor([2, 3, 2, 7])], []),
    "embedding_max_norm": (module(lambda: nn.Embedding(6, 4, max_norm=1.0, norm_type=1.0)),
                           [torch.tensor([[0, 5], [5, 3]])], []),
    "conv2d": (module(lambda: nn.Conv2d(3, 4, 3)), [randn(2, 3, 6, 5)], [0]),
    "conv2d_stride_pad_dilation": (module(lambda: nn.Conv2d(2, 4, (3, 2), stride=(2, 1), padding=(1, 2),
                                                            dilation=(1, 2))), [randn(2, 2, 7, 6)], [0]),
    "conv2d_groups_nobias": (module(lambda: nn.Conv2d(4, 6, 3, groups=2, bias=False)), [randn(2, 4, 5, 5)], [0]),
    "conv2d_depthwise": (module(lambda: nn.Conv2d(3, 3, 3, padding=1, groups=3)), [randn(1, 3, 4, 4)], [0]),
    "conv2d_same_even_kernel": (module(lambda: nn.Conv2d(2, 3, (4, 3), padding="same")), [randn(1, 2, 5, 6)], [0]),
    "conv2d_unbatched": (module(lambda: nn.Conv2d(2, 3, 2)), [randn(2, 4, 4)], [0]),
    "conv2d_3x3_16ch": (module(lambda: nn.Conv2d(16, 16, 3, padding=1)), [randn(2, 16, 8, 8)], [0]),
    "conv1d": (module(lambda: nn.Conv1d(3, 5, 3, stride=2, padding=1)), [randn(2, 3, 9)], [0]),
    "conv1d_same_dilation": (module(lambda: nn.Conv1d(2, 2, 3, padding="same", dilation=2)), [randn(2, 2, 7)], [0]),
    "conv_transpose2d": (module(lambda: nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1)),
                         [randn(2, 3, 4, 3)], [0]),
    "conv_transpose2d_groups_dilation": (module(lambda: nn.ConvTranspose2d(4, 6, 2, groups=2, dilation=2)),
                                         [randn(1, 4, 3, 3)], [0]),
    "max_pool2d": (module(lambda: nn.MaxPool2d(2)), [randn(2, 3, 6, 5)], [0]),
    "max_pool2d_ceil_pad_dilation": (module(lambda: nn.MaxPool2d(3, stride=2, padding=1, dilation=(1, 2),
                                                                  ceil_mode=True)), [randn(2, 2, 7, 8)], [0]),
    "max_pool1d": (module(lambda: nn.MaxPool1d(3, stride=2, ceil_mode=True)), [randn(2, 3, 8)], [0]),
    "avg_pool2d": (module(lambda: nn.AvgPool2d(2)), [randn(2, 3, 6, 5)], [0]),
    "avg_pool2d_ceil_pad": (module(lambda: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True)),
                            [randn(2, 2, 6, 7)], [0]),
    "avg_pool2d_exclude_pad": (module(lambda: nn.AvgPool2d((3, 2), stride=(2, 1), padding=1, ceil_mode=True,
                                                           count_include_pad=False)), [randn(1, 2, 6, 5)], [0]),
    "avg_pool1d": (module(lambda: nn.AvgPool1d(3, stride=2, padding=1)), [randn(2, 3, 8)], [0]),
    "adaptive_avg_pool2d": (module(lambda: nn.AdaptiveAvgPool2d((3, 2))), [randn(2, 3, 7, 5)], [0]),
    "adaptive_avg_pool2d_global": (module(lambda: nn.AdaptiveAvgPool2d(1)), [randn(2, 3, 4, 4)], [0]),
    "adaptive_avg_pool1d": (module(lambda: nn.AdaptiveAvgPool1d(4)), [randn(2, 3, 10)], [0]),
    "adaptive_max_pool2d": (module(lambda: nn.AdaptiveMaxPool2d((2, 3))), [randn(2, 3, 5, 7)], [0]),
    "max_pool2d_indices": (fn(lambda x: F.max_pool2d(x, 3, 2, 1, return_indices=True)[1]), [randn(1, 2, 6, 6)], []),
    "group_norm": (module(lambda: nn.GroupNorm(2, 4)), [randn(3, 4, 5)], [0]),
    "group_norm_no_affine_4d": (module(lambda: nn.GroupNorm(3, 6, eps=1e-3, affine=False)), [randn(2, 6, 3, 2)], [0]),
    "instance_norm2d": (module(lambda: nn.InstanceNorm2d(3)), [randn(2, 3, 4, 5)], [0]),
    "instance_norm1d_affine_stats": (module(lambda: nn.InstanceNorm1d(3, affine=True, track_running_stats=True)),
                                     [randn(4, 3, 6)], [0]),
    "instance_norm2d_eval_stats": (module(lambda: nn.InstanceNorm2d(3, track_running_stats=True), "eval",
                                          randomize_stats), [randn(2, 3, 4, 4)], [0]),
    "local_response_norm": (module(lambda: nn.LocalResponseNorm(3, alpha=0.1, beta=0.6, k=1.5)),
                            [randn(2, 5, 3, 2)], [0]),
    "local_response_norm_3d_even": (module(lambda: nn.LocalResponseNorm(4)), [randn(2, 6, 5)], [0]),
    "rnn_tanh_2layers_batch_first": (
        module(lambda: nn.RNN(3, 4, num_layers=2, batch_first=True), call=lambda m, x: flat(*m(x))),
        [randn(2, 5, 3)], [0]),
    "rnn_relu_bidirectional_h0": (
        module(lambda: nn.RNN(3, 4, nonlinearity="relu", bidirectional=True), call=lambda m, x, h: flat(*m(x, h))),
        [randn(5, 2, 3), randn(2, 2, 4)], [0, 1]),
    "lstm_2layers_bidirectional": (
        module(lambda: nn.LSTM(3, 4, num_layers=2, bidirectional=True),
               call=lambda m, x, h, c: flat(m(x, (h, c))[0], *m(x, (h, c))[1])),
        [randn(4, 2, 3), randn(4, 2, 4), randn(4, 2, 4)], [0, 1, 2]),
    "lstm_unbatched_no_bias": (
        module(lambda: nn.LSTM(3, 2, bias=False), call=lambda m, x: flat(m(x)[0], *m(x)[1])), [randn(5, 3)], [0]),
    "gru_bidirectional_batch_first": (
        module(lambda: nn.GRU(3, 4, bidirectional=True, batch_first=True), call=lambda m, x: flat(*m(x))),
        [randn(2, 5, 3)], [0]),
    "gru_2layers": (module(lambda: nn.GRU(2, 3, num_layers=2), call=lambda m, x: flat(*m(x))), [randn(4, 3, 2)], [0]),
    "rnn_cell": (module(lambda: nn.RNNCell(3, 4), call=lambda m, x, h: m(x, h)), [randn(2, 3), randn(2, 4)], [0, 1]),
    "lstm_cell": (module(lambda: nn.LSTMCell(3, 4), call=lambda m, x, h, c: flat(*m(x, (h, c)))),
                  [randn(2, 3), randn(2, 4), randn(2, 4)], [0, 1, 2]),
    "gru_cell": (module(lambda: nn.GRUCell(3, 4), call=lambda m, x, h: m(x, h)), [randn(2, 3), randn(2, 4)], [0, 1]),
    "sdpa": (fn(lambda q, k, v: sdpa(q, k, v)), [randn(2, 3, 4), randn(2, 5, 4), randn(2, 5, 3)], [0, 1, 2]),
    "sdpa_causal": (fn(lambda q, k, v: sdpa(q, k, v, causal=True)), [randn(2, 4, 3), randn(2, 4, 3), randn(2, 4, 3)],
                    [0, 1, 2]),
    "sdpa_bool_mask": (fn(lambda q, k, v: sdpa(q, k, v, torch.tensor([[True, False, True], [True, True, False]]))),
                       [randn(2, 2, 4), randn(2, 3, 4), randn(2, 3, 2)], [0, 1, 2]),
    "mha": (module(lambda: nn.MultiheadAttention(8, 2), call=lambda m, q, k, v: flat(*m(q, k, v))),
            [randn(3, 2, 8), randn(4, 2, 8), randn(4, 2, 8)], [0, 1, 2]),
    "mha_masks_batch_first": (
        module(lambda: nn.MultiheadAttention(6, 3, batch_first=True),
               call=lambda m, x: flat(*m(x, x, x, key_padding_mask=torch.tensor([[False, False, False, True],
                                                                                 [False, True, False, False]]),
                                         attn_mask=torch.tensor([[0.0, -1.0, 0.5, 0.0]] * 4),
                                         average_attn_weights=False))),
        [randn(2, 4, 6)], [0]),
    "mha_bool_attn_mask_no_bias": (
        module(lambda: nn.MultiheadAttention(4, 1, bias=False),
               call=lambda m, x: m(x, x, x, attn_mask=torch.ones(3, 3, dtype=torch.bool).triu(1))[0]),
        [randn(3, 2, 4)], [0]),
    "encoder_layer_post_norm": (module(lambda: nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0)),
                                [randn(5, 2, 8)], [0]),
    "encoder_layer_pre_norm_gelu_batch_first": (
        module(lambda: nn.TransformerEncoderLayer(8, 4, dim_feedforward=12, dropout=0.3, activation="gelu",
                                                  batch_first=True, norm_first=True), "eval",
               call=lambda m, x: m(x, src_key_padding_mask=torch.tensor([[False] * 4 + [True], [False] * 5]))),
        [randn(2, 5, 8)], [0]),
    "decoder_layer": (
        module(lambda: nn.TransformerDecoderLayer(6, 2, dim_feedforward=10, dropout=0.0),
               call=lambda m, t, mem: m(t, mem, tgt_mask=nn.Transformer.generate_square_subsequent_mask(3))),
        [randn(3, 2, 6), randn(4, 2, 6)], [0, 1]),
    "decoder_layer_pre_norm": (
        module(lambda: nn.TransformerDecoderLayer(6, 3, dim_feedforward=8, dropout=0.0, norm_first=True)),
        [randn(3, 2, 6), randn(4, 2, 6)], [0, 1]),
    "encoder_stack_norm": (
        module(lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, dropout=0.0), 2,
                                             norm=nn.LayerNorm(4))), [randn(3, 2, 4)], [0]),
    "transformer": (
        module(lambda: nn.Transformer(d_model=4, nhead=2, num_encoder_layers=2, num_decoder_layers=1,
                                      dim_feedforward=6, dropout=0.0),
               call=lambda m, s, t: m(s, t, tgt_mask=nn.Transformer.generate_square_subsequent_mask(3))),
        [randn(4, 2, 4), randn(3, 2, 4)], [0, 1]),
    # losses
    "mse": (fn(lambda x, y: F.mse_loss(x, y)), [randn(3, 4), randn(3, 4)], [0, 1]),
    "mse_sum": (fn(lambda x, y: F.mse_loss(x, y, reduction="sum")), [randn(3, 4), randn(3, 4)], [0, 1]),
    "l1_none": (fn(lambda x, y: F.l1_loss(x, y, reduction="none")), [randn(3, 4), randn(3, 4)], [0, 1]),
    "smooth_l1": (fn(lambda x, y: F.smooth_l1_loss(x, y, beta=0.5)), [randn(3, 4), randn(3, 4)], [0, 1]),
    "huber": (fn(lambda x, y: F.huber_loss(x, y, delta=0.7)), [randn(3, 4), randn(3, 4)], [0, 1]),
    "cross_entropy": (fn(lambda x, y: F.cross_entropy(x, y)), [randn(5, 4), labels(5, 4)], [0]),
    "cross_entropy_weight_ignore": (
        fn(lambda x, y, w: F.cross_entropy(x, y, weight=w, ignore_index=1)),
        [randn(6, 4), labels(6, 4), torch.rand(4) + 0.5], [0]),
    "cross_entropy_smoothing": (fn(lambda x, y: F.cross_entropy(x, y, label_smoothing=0.2)),
                                [randn(5, 4), labels(5, 4)], [0]),
    "cross_entropy_smoothing_weight": (
        fn(lambda x, y, w: F.cross_entropy(x, y, weight=w, ignore_index=0, label_smoothing=0.1)),
        [randn(6, 4), labels(6, 4), torch.rand(4) + 0.5], [0]),
    "cross_entropy_sum_none": (fn(lambda x, y: F.cross_entropy(x, y, reduction="none")),
                               [randn(5, 4), labels(5, 4)], [0]),
    "cross_entropy_spatial": (fn(lambda x, y: F.cross_entropy(x, y)), [randn(2, 4, 3, 2), labels(2, 4, 3, 2)], [0]),
    "cross_entropy_probs": (fn(lambda x, p: F.cross_entropy(x, p)), [randn(5, 4), probs(5, 4)], [0, 1]),
    "cross_entropy_probs_smoothing": (
        fn(lambda x, p, w: F.cross_entropy(x, p, weight=w, label_smoothing=0.3)),
        [randn(5, 4), probs(5, 4), torch.rand(4) + 0.5], [0]),
    "nll": (fn(lambda x, y: F.nll_loss(x, y)), [torch.log_softmax(randn(5, 4), 1), labels(5, 4)], [0]),
    "nll_weight_sum": (fn(lambda x, y, w: F.nll_loss(x, y, weight=w, reduction="sum")),
                       [torch.log_softmax(randn(5, 4), 1), labels(5, 4), torch.rand(4)], [0]),
    "bce": (fn(lambda x, y: F.binary_cross_entropy(x, y)), [torch.rand(3, 4) * 0.9 + 0.05, torch.rand(3, 4)], [0]),
    "bce_weight": (fn(lambda x, y, w: F.binary_cross_entropy(x, y, weight=w)),
                   [torch.rand(3, 4) * 0.9 + 0.05, torch.rand(3, 4), torch.rand(3, 4)], [0]),
    "bce_logits": (fn(lambda x, y: F.binary_cross_entropy_with_logits(x, y)), [randn(3, 4) * 5, torch.rand(3, 4)],
                   [0, 1]),
    "bce_logits_pos_weight": (
        fn(lambda x, y, pw: F.binary_cross_entropy_with_logits(x, y, pos_weight=pw)),
        [randn(3, 4) * 5, torch.rand(3, 4), torch.rand(4) * 3], [0, 1]),
    "kl_div": (fn(lambda x, t: F.kl_div(x, t, reduction="mean")),
               [torch.log_softmax(randn(3, 4), 1), probs(3, 4)], [0, 1]),
    "kl_div_batchmean_log_target": (fn(lambda x, t: F.kl_div(x, t, reduction="batchmean", log_target=True)),
                                    [torch.log_softmax(randn(3, 4), 1), torch.log_softmax(randn(3, 4), 1)], [0, 1]),
    "cosine_embedding": (fn(lambda a, b, y: F.cosine_embedding_loss(a, b, y, margin=0.2)),
                         [randn(6, 5), randn(6, 5), signs(6)], [0, 1]),
    "margin_ranking": (fn(lambda a, b, y: F.margin_ranking_loss(a, b, y, margin=0.3)), [randn(6), randn(6), signs(6)],
                       [0, 1]),
    "triplet": (fn(lambda a, p, n: F.triplet_margin_loss(a, p, n)), [randn(4, 5), randn(4, 5), randn(4, 5)], [0, 1, 2]),
    "triplet_swap_p1": (fn(lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=0.5, p=1, swap=True)),
                        [randn(4, 5), randn(4, 5), randn(4, 5)], [0, 1, 2]),
    # numerical edge cases: PyTorch's results, not just its formulas (inputs from their own
    # generator, so the cases above keep their values)
    "log_softmax_offset": (fn(lambda x: F.log_softmax(x, 1)), [edge_randn(3, 5) + 1e4], [0]),
    "log_softmax_huge_f64": (fn(lambda x: F.log_softmax(x, 1)),
                             [torch.tensor([[1e300, 1e300, -1e300], [-1e300, 2.0, 1.0]], dtype=torch.float64)],
                             [0]),
    "cross_entropy_offset": (fn(lambda x, y: F.cross_entropy(x, y)),
                             [edge_randn(4, 3) * 3 + 1e4, torch.tensor([0, 2, 1, 2])], [0]),
    "bce_saturated": (fn(lambda x, y: F.binary_cross_entropy(x, y)),
                      [torch.tensor([0.0, 1.0, 0.5, 1.0, 0.0, 0.25]), torch.tensor([1.0, 0.0, 1.0, 1.0, 0.0, 0.5])],
                      [0, 1]),
    "cross_entropy_all_ignored": (fn(lambda x, y: F.cross_entropy(x, y)),
                                  [edge_randn(3, 4), torch.tensor([-100, -100, -100])], [0]),
    "cross_entropy_all_ignored_smoothing": (fn(lambda x, y: F.cross_entropy(x, y, ignore_index=2, label_smoothing=0.1)),
                                            [edge_randn(3, 4), torch.tensor([2, 2, 2])], [0]),
    "cross_entropy_zero_weight": (fn(lambda x, y, w: F.cross_entropy(x, y, weight=w)),
                                  [edge_randn(3, 4), torch.tensor([0, 0, -100]), torch.tensor([0.0, 1.0, 1.0, 1.0])],
                                  [0]),
    # padding and pixel shuffling (strided inputs via transpose)
    "pad_constant": (fn(lambda x: F.pad(x, (1, 2, -1, 1), value=0.5)), [edge_randn(2, 3, 4)], [0]),
    "pad_reflect_2d": (fn(lambda x: F.pad(x.transpose(2, 3), (2, 1, 1, 2), mode="reflect")),
                       [edge_randn(1, 2, 5, 4)], [0]),
    "pad_replicate_1d": (fn(lambda x: F.pad(x, (3, 1), mode="replicate")), [edge_randn(2, 3, 4)], [0]),
    "pad_circular_3d": (fn(lambda x: F.pad(x, (1, 1, 2, 0, 1, 3), mode="circular")), [edge_randn(1, 1, 3, 3, 4)], [0]),
    "pixel_shuffle": (module(lambda: nn.PixelShuffle(2)), [edge_randn(2, 8, 3, 2)], [0]),
    "pixel_unshuffle": (fn(lambda x: F.pixel_unshuffle(x.transpose(2, 3), 2)), [edge_randn(1, 2, 6, 4)], [0]),
    # more losses, layer options and resampling (inputs from their own generator; strided ones via transpose)
    "hinge_embedding": (fn(lambda x, y: F.hinge_embedding_loss(x, y, margin=0.7)),
                        [more_randn(3, 4), torch.tensor([[1.0, -1, 1, -1], [-1, 1, 0, 2], [1, 1, -1, -1]])], [0]),
    "hinge_embedding_none_strided": (fn(lambda x, y: F.hinge_embedding_loss(x.t(), y, reduction="none")),
                                     [more_randn(4, 3), more_signs(3, 4)], [0]),
    "soft_margin": (fn(lambda x, y: F.soft_margin_loss(x, y)), [more_randn(3, 4) * 3, more_signs(3, 4)], [0]),
    "multi_margin": (fn(lambda x, y: F.multi_margin_loss(x, y)), [more_randn(4, 5), torch.tensor([0, 3, 4, 1])], [0]),
    "multi_margin_p2_weight_sum": (
        fn(lambda x, y, w: F.multi_margin_loss(x.t(), y, p=2, margin=0.5, weight=w, reduction="sum")),
        [more_randn(5, 4), torch.tensor([2, 0, 4, 4]), more_rand(5)], [0]),
    "multi_margin_single_none": (fn(lambda x, y: F.multi_margin_loss(x, y, reduction="none")),
                                 [more_randn(5), torch.tensor([2])], [0]),
    "multilabel_margin": (fn(lambda x, y: F.multilabel_margin_loss(x, y)),
                          [more_randn(4, 5), torch.tensor([[3, 0, -1, 1, 2], [1, 1, 4, -1, 0], [0, 1, 2, 3, 4],
                                                           [-1, 2, 2, 2, 2]])], [0]),
    "multilabel_margin_single_none": (fn(lambda x, y: F.multilabel_margin_loss(x, y, reduction="none")),
                                      [more_randn(5), torch.tensor([4, 2, -1, 0, 0])], [0]),
    "poisson_nll": (fn(lambda x, y: F.poisson_nll_loss(x, y)), [more_randn(3, 4), more_counts(3, 4)], [0, 1]),
    "poisson_nll_rate_full_sum": (fn(lambda x, y: F.poisson_nll_loss(x, y, log_input=False, full=True, reduction="sum")),
                                  [more_rand(3, 4) * 4 + 0.1, more_counts(3, 4)], [0]),
    "gaussian_nll": (fn(lambda x, y, v: F.gaussian_nll_loss(x, y, v)),
                     [more_randn(3, 4), more_randn(3, 4), more_rand(3, 4) + 0.05], [0, 1, 2]),
    "gaussian_nll_per_row_full_none": (fn(lambda x, y, v: F.gaussian_nll_loss(x, y, v, full=True, reduction="none")),
                                       [more_randn(3, 4), more_randn(3, 4), torch.tensor([0.5, 1e-8, 2.0])], [0, 1, 2]),
    "mse_broadcast_target": (fn(lambda x, y: F.mse_loss(x, y)), [more_randn(3, 1), more_randn(3)], [0, 1]),
    "rms_norm": (fn(lambda x, w: rms_norm(x, (4, 5), w, 1e-6)), [more_randn(2, 3, 4, 5), more_randn(4, 5)], [0, 1]),
    "rms_norm_default_eps_strided": (fn(lambda x: rms_norm(x.transpose(0, 1), (3,), None, None)),
                                     [more_randn(3, 2) * 1e-4], [0]),
    "batchnorm1d_cumulative": (module(lambda: nn.BatchNorm1d(4, momentum=None),
                                      call=lambda m, x: flat(m(x[:4]), m(x[4:]), m(x))),
                               [more_randn(12, 4) * 2 + 1], [0]),
    "avg_pool2d_divisor": (module(lambda: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, divisor_override=5)),
                           [more_randn(2, 3, 5, 6)], [0]),
    "conv2d_reflect": (module(lambda: nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode="reflect")),
                       [more_randn(2, 2, 5, 6)], [0]),
    "conv2d_circular_same_dilation": (module(lambda: nn.Conv2d(2, 2, (4, 3), padding="same", padding_mode="circular",
                                                               dilation=(1, 2))), [more_randn(1, 2, 6, 7)], [0]),
    "conv1d_replicate_stride": (module(lambda: nn.Conv1d(3, 4, 3, stride=2, padding=2, padding_mode="replicate")),
                                [more_randn(2, 3, 9)], [0]),
    "conv_transpose1d": (module(lambda: nn.ConvTranspose1d(3, 4, 3, stride=2, padding=1, output_padding=1)),
                         [more_randn(2, 3, 5)], [0]),
    "conv_transpose1d_groups_dilation_unbatched": (
        module(lambda: nn.ConvTranspose1d(4, 6, 2, groups=2, dilation=2, bias=False)), [more_randn(4, 5)], [0]),
    "interp_nearest_scale2": (fn(lambda x: F.interpolate(x, scale_factor=2)), [more_randn(1, 2, 3, 4)], [0]),
    "interp_nearest_scale_1_7": (fn(lambda x: F.interpolate(x, scale_factor=1.7)), [more_randn(2, 2, 5)], [0]),
    "interp_nearest_recompute": (fn(lambda x: F.interpolate(x, scale_factor=1.7, recompute_scale_factor=True)),
                                 [more_randn(2, 2, 5)], [0]),
    "interp_nearest_down": (fn(lambda x: F.interpolate(x, size=(3, 5))), [more_randn(1, 2, 7, 8)], [0]),
    "interp_nearest_exact": (fn(lambda x: F.interpolate(x, size=(5, 3), mode="nearest-exact")),
                             [more_randn(1, 1, 4, 7)], [0]),
    "interp_linear": (fn(lambda x: F.interpolate(x, size=7, mode="linear")), [more_randn(2, 3, 4)], [0]),
    "interp_linear_corners": (fn(lambda x: F.interpolate(x, scale_factor=2.5, mode="linear", align_corners=True)),
                              [more_randn(1, 2, 4)], [0]),
    "interp_bilinear": (fn(lambda x: F.interpolate(x, scale_factor=(1.5, 2), mode="bilinear")),
                        [more_randn(2, 2, 4, 3)], [0]),
    "interp_bilinear_corners_down_strided": (
        fn(lambda x: F.interpolate(x.transpose(2, 3), size=(3, 4), mode="bilinear", align_corners=True)),
        [more_randn(1, 2, 6, 5)], [0]),
    "interp_bilinear_scale_1_7": (fn(lambda x: F.interpolate(x, scale_factor=1.7, mode="bilinear")),
                                  [more_randn(1, 1, 5, 3)], [0]),
    "interp_bicubic": (fn(lambda x: F.interpolate(x, size=(7, 5), mode="bicubic")), [more_randn(1, 2, 4, 3)], [0]),
    "interp_bicubic_corners": (fn(lambda x: F.interpolate(x, scale_factor=2, mode="bicubic", align_corners=True)),
                               [more_randn(1, 1, 3, 4)], [0]),
    "interp_bicubic_down": (fn(lambda x: F.interpolate(x, size=(3, 2), mode="bicubic")), [more_randn(1, 1, 7, 6)], [0]),
    "interp_trilinear": (fn(lambda x: F.interpolate(x, size=(3, 4, 5), mode="trilinear")),
                         [more_randn(1, 1, 2, 3, 3)], [0]),
    "interp_area": (fn(lambda x: F.interpolate(x, size=(2, 3), mode="area")), [more_randn(1, 2, 5, 7)], [0]),
    "upsample_bilinear": (module(lambda: nn.Upsample(scale_factor=2, mode="bilinear")), [more_randn(1, 2, 3, 3)], [0]),
    "upsampling_bilinear2d": (module(lambda: nn.UpsamplingBilinear2d(size=(5, 4))), [more_randn(1, 2, 3, 3)], [0]),
    "upsampling_nearest2d": (module(lambda: nn.UpsamplingNearest2d(scale_factor=3)), [more_randn(1, 1, 2, 3)], [0]),
    "mha_kdim_vdim": (module(lambda: nn.MultiheadAttention(6, 2, kdim=4, vdim=5),
                             call=lambda m, q, k, v: flat(*m(q, k, v))),
                      [more_randn(3, 2, 6), more_randn(4, 2, 4), more_randn(4, 2, 5)], [0, 1, 2]),
    "mha_bias_kv_zero_attn_masks": (
        module(lambda: nn.MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True, batch_first=True),
               call=lambda m, x: flat(*m(x, x, x, key_padding_mask=torch.tensor([[False, False, True],
                                                                                 [False, False, False]]),
                                         attn_mask=torch.tensor([[0.0, -1.0, 0.5]] * 3),
                                         average_attn_weights=False))),
        [more_randn(2, 3, 4)], [0]),
    "lstm_proj_2layers_bidirectional": (
        module(lambda: nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2),
               call=lambda m, x, h, c: flat(*_lstm_outputs(m(x, (h, c))))),
        [more_randn(4, 2, 3), more_randn(4, 2, 2), more_randn(4, 2, 5)], [0, 1, 2]),
    "lstm_proj_batch_first_no_bias": (
        module(lambda: nn.LSTM(3, 4, batch_first=True, bias=False, proj_size=3),
               call=lambda m, x: flat(*_lstm_outputs(m(x)))),
        [more_randn(2, 5, 3)], [0]),
    "glu_strided": (fn(lambda x: F.glu(x.t(), 0)), [more_randn(3, 4)], [0]),
    "mha_rope_causal": (module(lambda: RelativeAttention(8, 2, "rope"), call=lambda m, x: m(x, causal=True)),
                        [more_randn(5, 2, 8)], [0]),
    "mha_alibi": (module(lambda: RelativeAttention(6, 3, "alibi")), [more_randn(4, 2, 6)], [0]),
    "encoder_layer_swiglu": (module(lambda: GatedEncoderLayer(8, 2, 12, "swiglu")), [more_randn(3, 2, 8)], [0]),
    "encoder_layer_geglu_pre_norm": (module(lambda: GatedEncoderLayer(8, 4, 6, "geglu", norm_first=True)),
                                     [more_randn(4, 2, 8)], [0]),
    "mha_zero_attn_unbatched": (module(lambda: nn.MultiheadAttention(4, 1, add_zero_attn=True),
                                       call=lambda m, x: m(x, x, x)[0]), [more_randn(3, 4)], [0]),
    # CTC through log_softmax (PyTorch's CTC gradient is only right composed with it).
    "ctc_padded_mean": (fn(lambda x, y, il, tl: F.ctc_loss(x.log_softmax(2), y, il, tl)),
                        [more_randn(6, 3, 5), torch.tensor([[1, 2, 2], [3, 1, 0], [4, 0, 0]]), torch.tensor([6, 5, 4]),
                         torch.tensor([3, 2, 1])], [0]),
    "ctc_concatenated_sum_blank_last": (
        fn(lambda x, y, il, tl: F.ctc_loss(x.log_softmax(2), y, il, tl, blank=4, reduction="sum")),
        [more_randn(7, 2, 5), torch.tensor([0, 1, 1, 2, 3]), torch.tensor([7, 6]), torch.tensor([3, 2])], [0]),
    "ctc_zero_infinity_none_empty_target": (
        fn(lambda x, y, il, tl: F.ctc_loss(x.log_softmax(2), y, il, tl, reduction="none", zero_infinity=True)),
        [more_randn(4, 3, 4), torch.tensor([[1, 1, 1], [2, 3, 0], [0, 0, 0]]), torch.tensor([4, 4, 3]),
         torch.tensor([3, 2, 0])], [0]),
    "ctc_unbatched_strided": (fn(lambda x, y, il, tl: F.ctc_loss(x.t().log_softmax(1), y, il, tl)),
                              [more_randn(4, 6), torch.tensor([1, 3, 3]), torch.tensor(6), torch.tensor(3)], [0]),
    "conv3d": (module(lambda: nn.Conv3d(2, 4, (2, 3, 2), stride=(2, 1, 1), padding=(1, 1, 0), dilation=(1, 1, 2))),
               [more_randn(2, 2, 4, 5, 6)], [0]),
    "conv3d_groups_unbatched": (module(lambda: nn.Conv3d(4, 2, 3, padding=1, groups=2, bias=False)),
                                [more_randn(4, 3, 4, 3)], [0]),
    "max_pool3d": (module(lambda: nn.MaxPool3d((2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0))),
                   [more_randn(2, 3, 4, 5, 6)], [0]),
    "max_pool3d_ceil_dilation": (module(lambda: nn.MaxPool3d(2, stride=2, dilation=(2, 1, 1), ceil_mode=True)),
                                 [more_randn(1, 2, 7, 5, 5)], [0]),
    "avg_pool3d": (module(lambda: nn.AvgPool3d(3, stride=2, padding=1)), [more_randn(2, 2, 5, 6, 5)], [0]),
    "avg_pool3d_exclude_pad_ceil": (module(lambda: nn.AvgPool3d((2, 3, 3), stride=2, padding=1, ceil_mode=True,
                                                                count_include_pad=False)),
                                    [more_randn(1, 2, 5, 6, 4)], [0]),
    "avg_pool3d_divisor_strided": (fn(lambda x: F.avg_pool3d(x.transpose(2, 4), 2, divisor_override=3)),
                                   [more_randn(2, 1, 4, 4, 6)], [0]),
}

DTYPES = {torch.float64: "float64", torch.float32: "float32", torch.int64: "int64", torch.bool: "bool"}


def line(kind, t):
    t = t.detach().contiguous()
    dims = " ".join(str(d) for d in t.shape)
    values = " ".join(repr(v) if isinstance(v, float) else str(int(v)) for v in t.flatten().tolist())
    return f"{kind} {DTYPES[t.dtype]} {t.dim()} {dims} {values}".replace("  ", " ").rstrip()


def run_case(name, spec, inputs, grad_of, out):
    kind, make, mode, setup, call = spec
    out.append(f"case {name}")
    out.append(f"mode {mode}")
    leaves = [t.clone().requires_grad_(i in grad_of) for i, t in enumerate(inputs)]
    m = None
    if kind == "module":
        m = make()
        if setup:
            setup(m)
        m.train(mode == "train")
        for key, value in m.state_dict().items():
            out.append(line(f"param {key}", value))
        y = call(m, *leaves) if call else m(*leaves)
    else:
        y = make(*leaves)
    for t in inputs:
        out.append(line("in", t))
    out.append(line("out", y))
    if m is not None:
        for key, value in m.state_dict().items():
            if key not in dict(m.named_parameters()):
                out.append(line(f"buffer {key}", value))
    params = [(k, p) for k, p in m.named_parameters()] if m is not None else []
    wrt = [leaves[i] for i in grad_of] + [p for _, p in params]
    if not wrt or not y.requires_grad:
        return
    gen = torch.Generator().manual_seed(7)
    cot = torch.randn(y.shape, generator=gen)
    out.append(line("cot", cot))
    grads = torch.autograd.grad(y, wrt, cot, allow_unused=True)
    for i, g in zip(grad_of, grads):
        out.append(line(f"grad_in {i}", torch.zeros_like(leaves[i]) if g is None else g))
    for (key, p), g in zip(params, grads[len(grad_of):]):
        out.append(line(f"grad_param {key}", torch.zeros_like(p) if g is None else g))


def write_safetensors(path, tensors, metadata=None):
    """The safetensors layout, byte for byte as the reference writer lays it out:
    compact JSON with sorted keys, padded with spaces to a multiple of 8."""
    import json
    import struct
    header, blobs, offset = {}, [], 0
    names = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        raw = t.numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    # A PyTorch Linear(3, 2) state dict with known values, for the safetensors reader.
    lin = nn.Linear(3, 2)
    with torch.no_grad():
        lin.weight.copy_(torch.arange(6.0).view(2, 3) * 0.5)
        lin.bias.copy_(torch.tensor([-1.0, 1.0]))
    write_safetensors(os.path.join(here, "linear.safetensors"), lin.state_dict(), {"format": "pt"})
    path = os.path.join(here, "nn.txt")
    out = [f"# PyTorch {torch.__version__} layers and losses, written by tests/golden/make_nn_fixtures.py"]
    for name, (spec, inputs, grad_of) in CASES.items():
        run_case(name, spec, inputs, grad_of, out)
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {len(CASES)} cases to {path}")


if __name__ == "__main__":
    main()
