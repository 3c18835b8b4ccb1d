#!/usr/bin/python3
"""Checks that Optuna reads a journal the way EXPECTED_JSON says (the format of
tests/golden/tune_optuna_journal.json, which tests/golden/make_tune_fixtures.py writes):

    python3 tests/tune_optuna_load.py JOURNAL EXPECTED_JSON

Every study listed is loaded with optuna.load_study from a JournalFileStorage on JOURNAL and
compared trial by trial: number, state, value, params, distributions, intermediate values and
user attrs, and the best trial when "best_trial" is given. Floats match within a relative
1e-12, "nan" matches NaN, null matches None. Exit status: 0 when all match, 1 on a mismatch
(each one described on stderr), 2 when optuna cannot be imported.
"""
import json
import math
import sys
import warnings

try:
    import optuna
    from optuna.distributions import distribution_to_json
except ImportError as e:
    print(f"tune_optuna_load.py: cannot import optuna: {e}", file=sys.stderr)
    sys.exit(2)


def same(expected, got):
    """Expected (from JSON) against what Optuna gives; floats loosely, all else exactly."""
    if expected == "nan":
        return isinstance(got, float) and math.isnan(got)
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(expected) is type(got) and expected == got
    if isinstance(expected, float) or isinstance(got, float):
        return (isinstance(expected, (int, float)) and isinstance(got, (int, float))
                and math.isclose(expected, got, rel_tol=1e-12, abs_tol=0.0))
    if isinstance(expected, list) and isinstance(got, (list, tuple)):
        return len(expected) == len(got) and all(same(e, g) for e, g in zip(expected, got))
    if isinstance(expected, dict) and isinstance(got, dict):
        return expected.keys() == got.keys() and all(same(expected[k], got[k]) for k in expected)
    return type(expected) is type(got) and expected == got


def check_study(storage, want, problems):
    name = want["study_name"]

    def differs(where, field, expected, got):
        problems.append(f"study {name}{where}: {field}: expected {expected!r}, got {got!r}")

    study = optuna.load_study(study_name=name, storage=storage)
    direction = study.direction.name.lower()
    if direction != want["direction"]:
        differs("", "direction", want["direction"], direction)
    trials = study.trials
    if len(trials) != len(want["trials"]):
        differs("", "number of trials", len(want["trials"]), len(trials))
    for w, t in zip(want["trials"], trials):
        where = f" trial {w['number']}"
        got = {
            "number": t.number,
            "state": t.state.name,
            "value": t.value,
            "params": t.params,
            "distributions": {k: json.loads(distribution_to_json(d)) for k, d in t.distributions.items()},
            "intermediate_values": [[s, v] for s, v in sorted(t.intermediate_values.items())],
            "user_attrs": t.user_attrs,
        }
        expected = dict(w)
        expected["distributions"] = {k: json.loads(d) if isinstance(d, str) else d
                                     for k, d in w["distributions"].items()}
        for field, value in got.items():
            if isinstance(value, dict) and isinstance(expected[field], dict):  # name the keys
                for key in sorted(expected[field].keys() | value.keys()):
                    e, g = expected[field].get(key, "(absent)"), value.get(key, "(absent)")
                    if not same(e, g):
                        differs(where, f"{field}[{key!r}]", e, g)
            elif not same(expected[field], value):
                differs(where, field, expected[field], value)
    if "best_trial" in want:
        best = study.best_trial.number
        if best != want["best_trial"]:
            differs("", "best_trial", want["best_trial"], best)
    return len(trials)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    journal, expected_json = sys.argv[1:]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    with open(expected_json) as f:
        studies = json.load(f)["studies"]
    storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(journal))
    problems = []
    n_trials = 0
    for want in studies:
        try:
            n_trials += check_study(storage, want, problems)
        except Exception as e:  # a missing study, an unreadable journal, ...
            problems.append(f"study {want['study_name']}: {type(e).__name__}: {e}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(f"optuna loaded {len(studies)} studies, {n_trials} trials: all match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
