#!/usr/bin/python3
"""Writes the reference fixtures of `ember tune`, computed with Optuna 3.1 (Debian's
python3-optuna), whose algorithms Ember's tuner reimplements. Run from the repo root:

    /usr/bin/python3 tests/golden/make_tune_fixtures.py

tune_pruners.json: CURVES below (lists of [step, value]) fed one per trial, in order, through
every pruner case of CASES, for both directions. Trial t reports curves[t] step by step, asks the
pruner after each report and stops at the first "prune"; a curve that runs out completes with
its last value (a NaN one ends the trial FAIL). Per trial: the decisions, the final state and
value. Hyperband cases also list each trial's bracket ("brackets", as the pruner assigns them
once it has set itself up). NaN is written as the string "nan".

tune_optuna_journal.log / .json: a journal written by Optuna's JournalFileStorage (two studies,
interleaved; every parameter kind, intermediate values, user attrs, every trial state), and what
optuna.load_study reads back from it: per study its name, direction, best trial and trials
(number, state, value, params, distributions as distribution_to_json strings, intermediate
values as sorted [step, value] pairs, user attrs). tests/tune_optuna_load.py checks a journal
against such a .json file.

tune_tpe_quality.json: the best value after 50 trials for seeds 0..39 with the TPE sampler (all
defaults) and with the random sampler, and their medians (numpy.median), minimizing

    lr = suggest_float("lr", 1e-5, 1.0, log=True)
    units = suggest_int("units", 1, 128)
    act = suggest_categorical("act", ["relu", "tanh", "sigmoid"])
    value = (log10(lr) + 2.5)**2 + ((units - 37) / 16)**2 + {"relu": 0.0, "tanh": 0.3, "sigmoid": 0.8}[act]
"""
import json
import math
import os
import warnings

import numpy as np
import optuna
from optuna.distributions import distribution_to_json

HERE = os.path.dirname(os.path.abspath(__file__))
NAN = math.nan

optuna.logging.set_verbosity(optuna.logging.ERROR)  # failed-trial warnings included
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
warnings.filterwarnings("ignore", category=RuntimeWarning)  # nanpercentile of all-NaN columns


def steps(values, start=0, stride=1):
    return [[start + stride * i, v] for i, v in enumerate(values)]


# Loss-like curves. Ties: 7 repeats 0's first three values, 12 repeats 2's first three.
CURVES = [
    steps([1.20, 1.00, 0.90, 0.82, 0.76, 0.71, 0.68, 0.66, 0.65, 0.64]),
    steps([1.30, 1.15, 1.05, 0.98, 0.93, 0.90, 0.88, 0.87, 0.86, 0.85, 0.85, 0.84]),
    steps([1.10, 0.95, 0.85, 0.78, 0.73, 0.70, 0.68, 0.67]),
    steps([1.25, 1.05, NAN, 0.88, 0.80, 0.75, 0.72, 0.70, 0.69]),  # NaN mid-curve
    steps([1.40, 1.30, 1.25]),
    steps([1.15, 0.92, 0.80, 0.74, 0.70, 0.68, 0.67], stride=2),  # steps 0, 2, ..., 12
    steps([NAN, 1.00, 0.90, 0.82, 0.77, 0.73, 0.70, 0.69, 0.68, 0.675]),  # NaN first
    steps([1.20, 1.00, 0.90, 0.85, 0.80, 0.78, 0.77]),
    steps([0.95]),
    steps([1.05, 0.90, 0.80, 0.74, 0.71, NAN]),  # NaN last
    steps([1.00, 0.80, 0.70, 0.62, 0.57, 0.53, 0.50, 0.48, 0.47]) + [[12, 0.46], [17, 0.455], [23, 0.45]],
    steps([1.50, 1.45, 1.42, 1.40, 1.39, 1.38, 1.38, 1.37]),
    steps([1.10, 0.95, 0.85, 0.80, 0.76, 0.74, 0.73, 0.72, 0.71, 0.70]),
    steps([1.00, 0.97], start=1),  # steps 1, 2
]

# name -> (kind, constructor arguments as passed, constructor)
P = optuna.pruners
CASES = {
    "median-default": ("median", dict(n_startup_trials=5, n_warmup_steps=0, interval_steps=1, n_min_trials=1), P.MedianPruner),
    "median-warmup-interval": ("median", dict(n_startup_trials=2, n_warmup_steps=3, interval_steps=2, n_min_trials=1), P.MedianPruner),
    "percentile-25": ("percentile", dict(percentile=25.0, n_startup_trials=3, n_warmup_steps=0, interval_steps=1, n_min_trials=1), P.PercentilePruner),
    "percentile-75": ("percentile", dict(percentile=75.0, n_startup_trials=3, n_warmup_steps=0, interval_steps=1, n_min_trials=1), P.PercentilePruner),
    "percentile-75-min-trials": ("percentile", dict(percentile=75.0, n_startup_trials=1, n_warmup_steps=0, interval_steps=1, n_min_trials=3), P.PercentilePruner),
    "sh-default": ("successive_halving", dict(min_resource="auto", reduction_factor=4, min_early_stopping_rate=0, bootstrap_count=0), P.SuccessiveHalvingPruner),
    "sh-r1-eta2-s1": ("successive_halving", dict(min_resource=1, reduction_factor=2, min_early_stopping_rate=1, bootstrap_count=0), P.SuccessiveHalvingPruner),
    "sh-r2-eta3-boot2": ("successive_halving", dict(min_resource=2, reduction_factor=3, min_early_stopping_rate=0, bootstrap_count=2), P.SuccessiveHalvingPruner),
    "hyperband-default": ("hyperband", dict(min_resource=1, max_resource="auto", reduction_factor=3, bootstrap_count=0), P.HyperbandPruner),
    "hyperband-max9": ("hyperband", dict(min_resource=1, max_resource=9, reduction_factor=3, bootstrap_count=0), P.HyperbandPruner),
    "nop": ("nop", {}, P.NopPruner),
}


def num(v):
    """A float for JSON: None stays null, NaN becomes "nan"."""
    return None if v is None else ("nan" if math.isnan(v) else v)


def run_case(name, direction):
    kind, args, make = CASES[name]
    pruner = make(**args)
    decisions = []

    def objective(trial):
        decisions.append([])
        for step, value in CURVES[trial.number]:
            trial.report(value, step)
            decisions[-1].append(bool(trial.should_prune()))  # may be a numpy bool
            if decisions[-1][-1]:
                raise optuna.TrialPruned()
        return CURVES[trial.number][-1][1]

    study_name = f"tune-{name}-{direction}"
    study = optuna.create_study(study_name=study_name, direction=direction, pruner=pruner,
                                sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=len(CURVES), n_jobs=1)
    case = {"name": f"{name}-{direction}", "pruner": {"kind": kind, **args},
            "direction": direction, "study_name": study_name,
            "trials": [{"decisions": d, "state": t.state.name, "value": num(t.value)}
                       for d, t in zip(decisions, study.trials)]}
    if kind == "hyperband":
        case["brackets"] = [pruner._get_bracket_id(study, t) for t in study.trials]
        assert len(set(case["brackets"])) > 1, case
    return case


def dumps(v):
    return json.dumps(v, allow_nan=False)


def write_listing(path, head, lists, item=dumps):
    """JSON with one line per element (written by `item`) of each list in `lists` (key -> list)."""
    parts = [dumps(k) + ": " + dumps(v) for k, v in head.items()]
    for key, items in lists.items():
        parts.append(dumps(key) + ": [\n  " + ",\n  ".join(item(i) for i in items) + "]")
    with open(path, "w") as f:
        f.write("{" + ",\n ".join(parts) + "}\n")


def study_lines(study):
    """A study's fields on one line, then one line per trial."""
    head = dumps({k: v for k, v in study.items() if k != "trials"})[:-1]
    return head + ', "trials": [\n   ' + ",\n   ".join(dumps(t) for t in study["trials"]) + "]}"


def make_pruners():
    cases = [run_case(name, d) for name in CASES for d in ("minimize", "maximize")]
    judged = [t for c in cases if c["pruner"]["kind"] in ("median", "percentile", "successive_halving")
              for t in c["trials"]]
    pruned = sum(t["state"] == "PRUNED" for t in judged)
    assert pruned >= 0.25 * len(judged) and sum(t["state"] == "COMPLETE" for t in judged) >= 10
    curves = [[[s, num(v)] for s, v in c] for c in CURVES]
    write_listing(os.path.join(HERE, "tune_pruners.json"),
                  {"generator": f"tests/golden/make_tune_fixtures.py with optuna {optuna.__version__}"},
                  {"curves": curves, "cases": cases})


def suggest_all(trial):
    trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    trial.suggest_float("dropout", 0.0, 1.0, step=0.25)
    trial.suggest_float("momentum", 0.5, 0.99)
    trial.suggest_int("layers", 1, 6)
    trial.suggest_int("batch", 8, 512, log=True)
    trial.suggest_categorical("opt", ["adam", 3, 0.5, True, None])


def suggest_two(trial):
    trial.suggest_int("layers", 1, 6)
    trial.suggest_categorical("opt", ["adam", 3, 0.5, True, None])


def make_journal():
    log = os.path.join(HERE, "tune_optuna_journal.log")
    if os.path.exists(log):
        os.remove(log)
    storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(log))
    a = optuna.create_study(study_name="fixture-study", direction="minimize", storage=storage,
                            sampler=optuna.samplers.RandomSampler(seed=17))  # every "opt" choice occurs
    b = optuna.create_study(study_name="other-study", direction="maximize", storage=storage,
                            sampler=optuna.samplers.RandomSampler(seed=4))
    S = optuna.trial.TrialState

    def trial_a(reports, attrs=None, params=suggest_all):
        t = a.ask()
        params(t)
        for step, v in reports:
            t.report(v, step)
        for k, v in (attrs or {}).items():
            t.set_user_attr(k, v)
        return t

    t = trial_a([(0, 0.9), (1, 0.7), (2, 0.55)], {"note": "first", "epochs": 3, "tags": ["a", 1, 2.5]})
    a.tell(t, 0.5)
    u = b.ask()
    u.suggest_float("x", -2.0, 2.0)
    u.suggest_categorical("mode", ["fast", "slow"])
    t = trial_a([(0, 1.1), (1, NAN), (2, 0.6)], {"nan_seen": True})  # a NaN intermediate value
    a.tell(t, 0.42)
    b.tell(u, 1.75)
    a.tell(trial_a([(0, 1.3), (1, 1.2)]), state=S.PRUNED)  # value: the last intermediate, 1.2
    a.tell(trial_a([(0, 1.4)], {"error": "diverged"}), state=S.FAIL)
    u = b.ask()
    u.suggest_float("x", -2.0, 2.0)
    u.set_user_attr("seed", 4)
    b.tell(u, -0.25)
    a.tell(trial_a([(0, 0.8), (3, 0.3), (7, 0.25)]), 0.25)
    a.tell(trial_a([(0, 1.0), (1, NAN)]), state=S.PRUNED)  # NaN last intermediate: no value
    a.tell(trial_a([], params=suggest_two), 0.875)  # fewer params, no intermediate values
    trial_a([(0, 0.95)], {"note": "still running"})  # never told: stays RUNNING

    studies = []
    for name in ("fixture-study", "other-study"):
        s = optuna.load_study(study_name=name, storage=storage)
        trials = [{"number": t.number, "state": t.state.name, "value": num(t.value), "params": t.params,
                   "distributions": {k: distribution_to_json(d) for k, d in t.distributions.items()},
                   "intermediate_values": [[k, num(v)] for k, v in sorted(t.intermediate_values.items())],
                   "user_attrs": t.user_attrs} for t in s.trials]
        studies.append({"study_name": name, "direction": s.direction.name.lower(),
                        "best_trial": s.best_trial.number, "trials": trials})
    write_listing(os.path.join(HERE, "tune_optuna_journal.json"),
                  {"generator": f"tests/golden/make_tune_fixtures.py with optuna {optuna.__version__}"},
                  {"studies": studies}, item=study_lines)


OBJECTIVE = ('lr = suggest_float("lr", 1e-5, 1.0, log=True); units = suggest_int("units", 1, 128); '
             'act = suggest_categorical("act", ["relu", "tanh", "sigmoid"]); '
             'value = (log10(lr) + 2.5)**2 + ((units - 37) / 16)**2 + {"relu": 0.0, "tanh": 0.3, "sigmoid": 0.8}[act]; '
             'minimize')


def objective(trial):
    lr = trial.suggest_float("lr", 1e-5, 1.0, log=True)
    units = trial.suggest_int("units", 1, 128)
    act = trial.suggest_categorical("act", ["relu", "tanh", "sigmoid"])
    return (math.log10(lr) + 2.5) ** 2 + ((units - 37) / 16) ** 2 + {"relu": 0.0, "tanh": 0.3, "sigmoid": 0.8}[act]


def make_tpe_quality(n_trials=50, seeds=range(40)):
    best = {}
    for key, make in (("tpe_best", optuna.samplers.TPESampler), ("random_best", optuna.samplers.RandomSampler)):
        best[key] = []
        for seed in seeds:
            study = optuna.create_study(direction="minimize", sampler=make(seed=seed))
            study.optimize(objective, n_trials=n_trials)
            best[key].append(study.best_value)
    out = {"generator": f"tests/golden/make_tune_fixtures.py with optuna {optuna.__version__}",
           "objective": OBJECTIVE, "n_trials": n_trials, "seeds": list(seeds), **best}
    for kind in ("tpe", "random"):
        out[f"{kind}_median_first10"] = float(np.median(best[f"{kind}_best"][:10]))
        out[f"{kind}_median"] = float(np.median(best[f"{kind}_best"]))
    with open(os.path.join(HERE, "tune_tpe_quality.json"), "w") as f:
        f.write(dumps(out) + "\n")


if __name__ == "__main__":
    make_pruners()
    make_journal()
    make_tpe_quality()
