#!/usr/bin/python3
"""Writes tests/golden/optim.txt: PyTorch's parameter trajectories for every
optimizer case of tests/optim_test.cpp (a tiny float64 MLP, fixed data, 25
steps of MSE), and every scheduler's learning rates over 100 steps. Run with
Debian's python3-torch:

    /usr/bin/python3 tests/golden/make_optim_fixtures.py

Lines: `data NAME tensor`, `init NAME tensor`, then per optimizer case
`case NAME` and `final NAME tensor` per parameter; per scheduler case
`schedule NAME lr0 lr1 ...` (the lr used by each of 100 steps); then
`averaged swa|ema NAME tensor`, the averaged models' parameters.
"""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.optim as optim
import torch.optim.swa_utils  # noqa: F401 (optim.swa_utils)

from fixture_lines import float64_line

torch.manual_seed(2024)
f64 = torch.float64


def _nadam_fixed(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps, *, beta1, beta2, lr,
                 weight_decay, momentum_decay, eps):
    """torch 1.13's single-tensor NAdam with the fix PyTorch 2.0 made: the next
    momentum product is prod(mu) * mu_next (1.13 multiplies by mu twice)."""
    for i, param in enumerate(params):
        grad, exp_avg, exp_avg_sq, mu_product, step_t = grads[i], exp_avgs[i], exp_avg_sqs[i], mu_products[i], state_steps[i]
        step_t += 1
        step = step_t.item()
        bias_correction2 = 1 - beta2 ** step
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        mu = beta1 * (1. - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1. - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product *= mu
        mu_product_next = mu_product * mu_next
        exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        denom = exp_avg_sq.div(bias_correction2).sqrt().add_(eps)
        param.addcdiv_(grad, denom, value=-lr * (1. - mu) / (1. - mu_product.item()))
        param.addcdiv_(exp_avg, denom, value=-lr * mu_next / (1. - mu_product_next.item()))


sys.modules["torch.optim.nadam"]._single_tensor_nadam = _nadam_fixed


def make_model():
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)).double()


MODEL = make_model()
INIT = {k: v.clone() for k, v in MODEL.state_dict().items()}
X = torch.randn(16, 4, dtype=f64)
Y = torch.randn(16, 3, dtype=f64)

# name -> function(params) -> optimizer (params: the model's parameter list)
OPTIMIZERS = {
    "sgd": lambda p: optim.SGD(p, lr=0.1),
    "sgd_momentum_dampening_wd": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "sgd_nesterov_maximize": lambda p: optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True, maximize=True),
    "sgd_groups": lambda p: optim.SGD([{"params": p[:2]}, {"params": p[2:], "lr": 0.01, "momentum": 0.5}], lr=0.1),
    "adam": lambda p: optim.Adam(p, lr=0.01),
    "adam_amsgrad_wd": lambda p: optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=True),
    "adam_maximize": lambda p: optim.Adam(p, lr=0.01, maximize=True),
    "adamw": lambda p: optim.AdamW(p, lr=0.01),
    "adamw_amsgrad": lambda p: optim.AdamW(p, lr=0.02, weight_decay=0.3, amsgrad=True),
    "rmsprop": lambda p: optim.RMSprop(p, lr=0.01),
    "rmsprop_centered_momentum_wd": lambda p: optim.RMSprop(p, lr=0.005, alpha=0.9, momentum=0.7, centered=True,
                                                            weight_decay=0.05),
    "adagrad": lambda p: optim.Adagrad(p, lr=0.1),
    "adagrad_decay_init": lambda p: optim.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.01,
                                                  initial_accumulator_value=0.5, eps=1e-8),
    "adadelta": lambda p: optim.Adadelta(p, lr=1.0),
    "adadelta_wd": lambda p: optim.Adadelta(p, lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1),
    "nadam": lambda p: optim.NAdam(p, lr=0.01),
    "nadam_wd": lambda p: optim.NAdam(p, lr=0.02, betas=(0.85, 0.98), weight_decay=0.05, momentum_decay=0.01),
    "radam": lambda p: optim.RAdam(p, lr=0.01),
    "radam_wd": lambda p: optim.RAdam(p, lr=0.02, betas=(0.7, 0.9), weight_decay=0.05),
    "rprop": lambda p: optim.Rprop(p, lr=0.01),
    "rprop_etas_sizes_maximize": lambda p: optim.Rprop(p, lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.08),
                                                       maximize=True),
    "asgd": lambda p: optim.ASGD(p, lr=0.05),
    "asgd_averaging_wd": lambda p: optim.ASGD(p, lr=0.1, lambd=1e-3, alpha=0.6, t0=10, weight_decay=0.02),
    "lbfgs": lambda p: optim.LBFGS(p, lr=0.5, max_iter=4),
    "lbfgs_strong_wolfe_history": lambda p: optim.LBFGS(p, lr=1, max_iter=6, history_size=5,
                                                        line_search_fn="strong_wolfe"),
}

# Steps per case (25 unless said): an L-BFGS step is several iterations, and over ~40 of them
# the last-bit differences of float64 dot products (summed in another order than the
# reference BLAS's) grow past the test's 1e-10, as in any two L-BFGS implementations.
STEPS = {"lbfgs": 5, "lbfgs_strong_wolfe_history": 5}

S = optim.lr_scheduler


def sgd_at(lr=0.1):
    return optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr, momentum=0.9)


# name -> function(optimizer) -> scheduler; metrics for ReduceLROnPlateau
SCHEDULERS = {
    "step": lambda o: S.StepLR(o, step_size=7, gamma=0.5),
    "multistep": lambda o: S.MultiStepLR(o, milestones=[10, 25, 60], gamma=0.3),
    "exponential": lambda o: S.ExponentialLR(o, gamma=0.97),
    "cosine": lambda o: S.CosineAnnealingLR(o, T_max=30, eta_min=0.001),
    "cosine_warm_restarts": lambda o: S.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=0.01),
    "linear": lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=20),
    "constant": lambda o: S.ConstantLR(o, factor=0.5, total_iters=15),
    "lambda": lambda o: S.LambdaLR(o, lambda e: 1.0 / (1 + 0.1 * e)),
    "multiplicative": lambda o: S.MultiplicativeLR(o, lambda e: 0.98),
    "polynomial": lambda o: S.PolynomialLR(o, total_iters=50, power=2.0),
    "sequential_warmup_cosine": lambda o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=10), S.CosineAnnealingLR(o, T_max=90)], milestones=[10]),
    "one_cycle_cos": lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=100),
    "one_cycle_linear_three_phase": lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=100, pct_start=0.2,
                                                           anneal_strategy="linear", three_phase=True,
                                                           div_factor=10, final_div_factor=100),
    "cyclic_triangular": lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=8, cycle_momentum=False),
    "cyclic_triangular2": lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5, step_size_down=10,
                                               mode="triangular2", cycle_momentum=False),
    "cyclic_exp_range": lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=6, mode="exp_range",
                                             gamma=0.98, cycle_momentum=False),
    "plateau_min": lambda o: S.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=3, threshold=0.01, cooldown=2,
                                                 min_lr=0.002),
    "plateau_max_abs": lambda o: S.ReduceLROnPlateau(o, mode="max", factor=0.3, patience=2, threshold=0.5,
                                                     threshold_mode="abs"),
    "chained_constant_exponential": lambda o: S.ChainedScheduler([S.ConstantLR(o, factor=0.1, total_iters=2),
                                                                  S.ExponentialLR(o, gamma=0.9)]),
    "chained_step_linear": lambda o: S.ChainedScheduler([S.StepLR(o, step_size=10, gamma=0.5),
                                                         S.LinearLR(o, start_factor=0.2, total_iters=15)]),
    "swalr_cos": lambda o: optim.swa_utils.SWALR(o, swa_lr=0.05, anneal_epochs=10),
    "swalr_linear_no_anneal": lambda o: optim.swa_utils.SWALR(o, swa_lr=0.02, anneal_epochs=0,
                                                              anneal_strategy="linear"),
}


def metric(step):
    """A bumpy metric for ReduceLROnPlateau: improves, stalls, improves."""
    return 1.0 / (1 + step // 7) + 0.05 * math.sin(step)


def main():
    out = [f"# PyTorch {torch.__version__} optimizer trajectories and schedules, written by make_optim_fixtures.py"]
    out.append(float64_line("data x", X))
    out.append(float64_line("data y", Y))
    for k, v in INIT.items():
        out.append(float64_line(f"init {k}", v))
    for name, make in OPTIMIZERS.items():
        model = make_model()
        model.load_state_dict(INIT)
        opt = make(list(model.parameters()))
        for _ in range(STEPS.get(name, 25)):
            def closure():
                opt.zero_grad()
                loss = torch.nn.functional.mse_loss(model(X), Y)
                loss.backward()
                return loss
            opt.step(closure)
        out.append(f"case {name}")
        for k, v in model.named_parameters():
            out.append(float64_line(f"final {k}", v))
    for name, make in SCHEDULERS.items():
        opt = sgd_at()
        sched = make(opt)
        lrs = []
        for step in range(100):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            if isinstance(sched, S.ReduceLROnPlateau):
                sched.step(metric(step))
            else:
                sched.step()
        out.append(f"schedule {name} " + " ".join(repr(v) for v in lrs))
    # Weight averaging: SGD with momentum for 25 steps; SWA's mean from step 10 on, an EMA every step.
    model = make_model()
    model.load_state_dict(INIT)
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    swa = optim.swa_utils.AveragedModel(model)
    ema = optim.swa_utils.AveragedModel(model, avg_fn=lambda a, p, n: 0.9 * a + (1 - 0.9) * p)
    for step in range(25):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(X), Y).backward()
        opt.step()
        if step >= 10:
            swa.update_parameters(model)
        ema.update_parameters(model)
    for label, averaged in (("swa", swa), ("ema", ema)):
        for k, v in averaged.named_parameters():
            out.append(float64_line(f"averaged {label} {k}", v))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optim.txt")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {len(OPTIMIZERS)} optimizer and {len(SCHEDULERS)} scheduler cases to {path}")


if __name__ == "__main__":
    main()
