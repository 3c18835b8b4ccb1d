#!/usr/bin/python3
"""Writes tests/golden/prune.txt: the masks torch.nn.utils.prune computes for
every case of tests/prune_test.cpp. Run with Debian's python3-torch:

    /usr/bin/python3 tests/golden/make_prune_fixtures.py

Lines: `weight conv|linear tensor` (the starting weights of a Conv2d(3, 6, 2)
and a Linear(7, 5)), `importance linear tensor`, then per case
`mask CASE LAYER tensor` after each of its steps (CASE-1, CASE-2, ...), and
`keys LAYER name...` (the state dict of a pruned layer).
"""
import math
import os

import torch
import torch.nn as nn
import torch.nn.utils.prune as prune

from fixture_lines import float64_line

torch.manual_seed(7)
f64 = torch.float64
CONV = torch.randn(6, 3, 2, 2, dtype=f64)
LINEAR = torch.randn(5, 7, dtype=f64)
IMPORTANCE = torch.randn(5, 7, dtype=f64)


def layers():
    conv = nn.Conv2d(3, 6, 2).double()
    linear = nn.Linear(7, 5).double()
    with torch.no_grad():
        conv.weight.copy_(CONV)
        linear.weight.copy_(LINEAR)
    return {"conv": conv, "linear": linear}


# Each case: steps applied in order to fresh layers; after each step every layer's mask is written.
CASES = {
    "l1_fraction": [lambda m: prune.l1_unstructured(m["conv"], "weight", amount=0.3)],
    "l1_count": [lambda m: prune.l1_unstructured(m["linear"], "weight", amount=7)],
    "l1_half_rounds_to_even": [lambda m: prune.l1_unstructured(m["linear"], "weight", amount=0.5)],  # 17.5 -> 18
    "l1_importance": [lambda m: prune.l1_unstructured(m["linear"], "weight", amount=0.4, importance_scores=IMPORTANCE)],
    "l1_iterative": [
        lambda m: prune.l1_unstructured(m["conv"], "weight", amount=0.3),
        lambda m: prune.l1_unstructured(m["conv"], "weight", amount=0.5),
        lambda m: prune.ln_structured(m["conv"], "weight", amount=2, n=2, dim=0),
    ],
    "ln2_dim0": [lambda m: prune.ln_structured(m["conv"], "weight", amount=0.5, n=2, dim=0)],
    "ln1_dim1": [lambda m: prune.ln_structured(m["linear"], "weight", amount=0.34, n=1, dim=1)],
    "lninf_dim_last": [lambda m: prune.ln_structured(m["conv"], "weight", amount=1, n=math.inf, dim=-1)],
    "ln_iterative": [
        lambda m: prune.ln_structured(m["linear"], "weight", amount=2, n=2, dim=0),
        lambda m: prune.ln_structured(m["linear"], "weight", amount=0.5, n=1, dim=0),
        lambda m: prune.l1_unstructured(m["linear"], "weight", amount=0.25),
    ],
    "global": [
        lambda m: prune.global_unstructured([(m["conv"], "weight"), (m["linear"], "weight")],
                                            pruning_method=prune.L1Unstructured, amount=0.4),
        lambda m: prune.global_unstructured([(m["conv"], "weight"), (m["linear"], "weight")],
                                            pruning_method=prune.L1Unstructured, amount=25),
    ],
    "custom_then_l1": [
        lambda m: prune.custom_from_mask(m["linear"], "weight", mask=(LINEAR > 0).to(f64)),
        lambda m: prune.l1_unstructured(m["linear"], "weight", amount=0.5),
    ],
}


def main():
    out = [f"# PyTorch {torch.__version__} pruning masks, written by make_prune_fixtures.py"]
    out.append(float64_line("weight conv", CONV))
    out.append(float64_line("weight linear", LINEAR))
    out.append(float64_line("importance linear", IMPORTANCE))
    for name, steps in CASES.items():
        m = layers()
        for i, step in enumerate(steps):
            step(m)
            for layer_name, layer in m.items():
                if hasattr(layer, "weight_mask"):
                    out.append(float64_line(f"mask {name}-{i + 1} {layer_name}", layer.weight_mask))
    m = layers()
    prune.l1_unstructured(m["conv"], "weight", amount=0.3)
    out.append("keys conv " + " ".join(sorted(m["conv"].state_dict().keys())))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "prune.txt")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
