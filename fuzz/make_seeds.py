#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets (fuzz/corpus/<target>/seed-*).

Each seed is a small valid input, so the fuzzer starts inside the format
instead of searching for its magic numbers. Run from anywhere; it rewrites
only the seed-* files and leaves the regression-* files (crashes found) alone.
"""
import gzip
import json
import os
import struct

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    os.makedirs(os.path.join(HERE, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    # mtime 0: the gzip seeds are the same bytes on every run
    with open(os.path.join(HERE, target, "seed-" + name), "wb") as f:
        f.write(data)


def safetensors(tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, blob in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def idx(dims, data):
    return struct.pack(">I", 0x0800 | len(dims)) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)


def gz(data):
    return gzip.compress(data, mtime=0)


write("safetensors", "weights", safetensors(
    [("fc.weight", "F32", [2, 3], struct.pack("<6f", *range(6))), ("fc.bias", "F32", [2], struct.pack("<2f", 1, 2))],
    {"epoch": "3", "model": "mlp"}))
write("safetensors", "dtypes", safetensors(
    [("a", "BF16", [2], b"\x80\x3f\x00\x40"), ("b", "I64", [1], struct.pack("<q", -5)), ("c", "BOOL", [3], b"\x01\x00\x01"),
     ("d", "F16", [0], b""), ("e", "U8", [], b"\x07"), ("f", "F64", [1, 1], struct.pack("<d", 0.5))]))
write("safetensors", "empty", safetensors([]))

labels = idx([5], [0, 1, 2, 9, 4])
images = idx([2, 3, 3], range(18))
write("idx", "labels-raw", b"\x00" + labels)
write("idx", "images-raw", b"\x02" + images)
write("idx", "labels-compressed", b"\x01" + labels)
write("idx", "images-gzip-stream", b"\x02" + gz(images))

record10 = bytes([3]) + bytes(i % 256 for i in range(3072))
record100 = bytes([1, 42]) + bytes((7 * i) % 256 for i in range(3072))
write("cifar", "cifar10", b"\x00" + record10 + bytes([9]) + record10[1:])
write("cifar", "cifar100", b"\x01" + record100)

write("csv", "classes", "a,b,y\n1,2,0\n3.5,-1e3,1\n\n0.25, 7 ,2\n")
write("csv", "regression", "x,y\n1e-3,0.5\n-2,1.25\r\n")
write("csv", "semicolons", "y;f1;f2\n1;2;3\n0;1;1\n")

write("metadata", "checkpoint", "epoch=3\nrng.offset=12345\nlr=0x1.47ae147ae147bp-7\nrng.seed=0\n")
write("metadata", "negative", "epoch=-1\nrng.offset=18446744073709551615\nlr=inf\n")

settings = {"model": "mlp", "dataset": "fashion-mnist", "data_root": "", "target": "", "max_classes": 1000,
            "epochs": 3, "batch_size": 128, "optimizer": "sgd", "lr": 0.05, "momentum": 0.9, "weight_decay": 1e-4,
            "nesterov": True, "scheduler": "multistep", "step_size": 5, "gamma": 0.5, "warmup_epochs": 1,
            "label_smoothing": 0.1, "val_split": 0.1, "early_stopping": 0, "clip_grad_norm": 1.0, "seed": 7,
            "milestones": "2,3", "augment": "flip", "plateau_patience": 2, "seq_len": 0, "threads": 2, "workers": 0,
            "device": "cpu"}
write("run_config", "config-json", json.dumps(dict(settings, input=[1, 28, 28], classes=10, ember_version="0.1",
                                                   git_hash="0000000", parameters=109386), indent=2))
write("run_config", "short", '{"model": "lenet5", "epochs": 2, "lr": 0.0123456789, "scheduler": "onecycle"}')

# Journals: an Ember study (one trial of each state) and an excerpt of the one Optuna wrote
# (tests/golden/tune_optuna_journal.log: NaN tokens, categorical choices of every type).
w = "4b1f-0-1"
dist = json.dumps({"name": "FloatDistribution", "attributes": {"step": None, "low": 1e-05, "high": 0.1, "log": True}})
ops = [{"op_code": 0, "study_name": "ember-tune", "directions": [1]},
       {"op_code": 4, "study_id": 0, "datetime_start": "2026-12-02T00:59:49.992593"},
       {"op_code": 5, "trial_id": 0, "param_name": "lr", "param_value_internal": 0.001, "distribution": dist},
       {"op_code": 7, "trial_id": 0, "step": 0, "intermediate_value": 0.5},
       {"op_code": 9, "trial_id": 0, "system_attr": {"completed_rung_0": 0.5}},
       {"op_code": 6, "trial_id": 0, "state": 1, "values": [0.25], "datetime_complete": "2026-12-02T01:00:00.000001"},
       {"op_code": 4, "study_id": 0, "datetime_start": "2026-12-02T01:00:01.000000"},
       {"op_code": 8, "trial_id": 1, "user_attr": {"run_folder": "runs/study/trials/1"}},
       {"op_code": 6, "trial_id": 1, "state": 2, "values": None, "datetime_complete": "2026-12-02T01:00:02.000000"}]
write("journal", "ember-study", "".join(json.dumps(dict(op, worker_id=w)) + "\n" for op in ops))
golden = os.path.join(os.path.dirname(HERE), "..", "tests", "golden", "tune_optuna_journal.log")
with open(golden, "rb") as f:
    write("journal", "optuna-excerpt", b"".join(f.readlines()[:24]))
