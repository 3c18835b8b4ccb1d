#!/usr/bin/python3
"""Runs Ember's ops benchmarks and the same cases in PyTorch, in one invocation,
with the same thread count, and prints a table (case, Ember, PyTorch, ratio).

Usage: /usr/bin/python3 bench/compare_pytorch.py [--threads 2] [--bench build/release/bench/ember-bench]
       /usr/bin/python3 bench/compare_pytorch.py --suite      (training-step workloads, `ember bench`)
       /usr/bin/python3 bench/compare_pytorch.py --training   (one Fashion-MNIST epoch through `ember train`)
Needs Debian's python3-torch; Ember itself never does. PyTorch must run on a real BLAS:
Debian's python3-torch links whatever libblas.so.3 the alternatives select, which without
libopenblas0-pthread is the reference BLAS (~8 GFLOP/s matmul). The script says which one
PyTorch loaded and refuses to print ratios against the reference one.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time


def _threads_from_argv(default=2):
    """--threads N, read before torch is imported (OpenBLAS takes its thread count from the environment)."""
    for i, a in enumerate(sys.argv):
        if a == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return str(default)


os.environ.setdefault("OPENBLAS_NUM_THREADS", _threads_from_argv())
import torch  # noqa: E402  (after the thread count is in the environment)

# name -> (Ember benchmark name, unit, work per iteration, PyTorch case builder)
N1, N64 = 1 << 20, 64 << 20


def elementwise(n, op):
    a, b = torch.rand(n), torch.rand(n)
    return {"add": lambda: a + b, "mul": lambda: a * b, "exp": lambda: a.exp(),
            "add_": lambda: a.add_(b), "sum": lambda: a.sum()}[op]


def matmul(n):
    a, b = torch.randn(n, n), torch.randn(n, n)
    return lambda: a @ b


def one_element():
    a, b = torch.ones(1), torch.ones(1)
    return lambda: a + b


def conv2d_train():
    x = torch.randn(32, 64, 32, 32, requires_grad=True)
    w = torch.randn(64, 64, 3, 3, requires_grad=True)

    def step():
        torch.nn.functional.conv2d(x, w, padding=1).sum().backward()
        x.grad = None
        w.grad = None
    return step


def tiny_backward():
    a = torch.ones(1, requires_grad=True)
    return lambda: (a * a).sum().backward()


CASES = [
    ("add 1M", "BM_add/1048576/real_time", "GB/s", 12.0 * N1, lambda: elementwise(N1, "add")),
    ("add 64M", "BM_add/67108864/real_time", "GB/s", 12.0 * N64, lambda: elementwise(N64, "add")),
    ("add_ 1M", "BM_add_inplace/1048576/real_time", "GB/s", 12.0 * N1, lambda: elementwise(N1, "add_")),
    ("add_ 64M", "BM_add_inplace/67108864/real_time", "GB/s", 12.0 * N64, lambda: elementwise(N64, "add_")),
    ("mul 1M", "BM_mul/1048576/real_time", "GB/s", 12.0 * N1, lambda: elementwise(N1, "mul")),
    ("mul 64M", "BM_mul/67108864/real_time", "GB/s", 12.0 * N64, lambda: elementwise(N64, "mul")),
    ("exp 1M", "BM_exp/1048576/real_time", "GB/s", 8.0 * N1, lambda: elementwise(N1, "exp")),
    ("exp 64M", "BM_exp/67108864/real_time", "GB/s", 8.0 * N64, lambda: elementwise(N64, "exp")),
    ("sum 1M", "BM_sum/1048576/real_time", "GB/s", 4.0 * N1, lambda: elementwise(N1, "sum")),
    ("sum 64M", "BM_sum/67108864/real_time", "GB/s", 4.0 * N64, lambda: elementwise(N64, "sum")),
    ("matmul 256", "BM_matmul/256/real_time", "GFLOP/s", 2.0 * 256**3, lambda: matmul(256)),
    ("matmul 1024", "BM_matmul/1024/real_time", "GFLOP/s", 2.0 * 1024**3, lambda: matmul(1024)),
    ("matmul 2048", "BM_matmul/2048/real_time", "GFLOP/s", 2.0 * 2048**3, lambda: matmul(2048)),
    ("add 1 element", "BM_add_one_element", "us/op", None, one_element),
    ("(a*a).sum().backward()", "BM_autograd_tiny_backward", "us/op", None, tiny_backward),
    ("conv2d 3x3 64ch fwd+bwd", "BM_conv2d_train/real_time", "GFLOP/s", 3 * 2.0 * 32 * 64 * 64 * 9 * 1024, conv2d_train),
]


def time_torch(fn, budget=1.0, reps=7):
    """Median seconds per call over `reps` repetitions (after a warm-up)."""
    fn()
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    inner = max(1, int(budget / reps / once))
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - start) / inner)
    return statistics.median(samples)


def loaded_blas():
    """(kind, path) of the BLAS this process (PyTorch) calls, read from /proc/self/maps after a matmul
    has loaded it: kind is openblas, mkl, blis, reference or unknown. Debian's PyTorch links
    libblas.so.3, so the file that name resolved to decides (LAPACK may come from another library)."""
    torch.randn(64, 64) @ torch.randn(64, 64)
    with open("/proc/self/maps") as f:
        paths = sorted({line.split()[-1] for line in f if line.split()[-1].startswith("/")})
    kinds = (("openblas", "openblas"), ("mkl", "mkl"), ("blis", "blis"))
    for path in paths:
        if os.path.basename(path).startswith("libblas.so"):
            return next((kind for kind, marker in kinds if marker in path), "reference"), path
    for path in paths:  # a PyTorch linked straight to an optimized BLAS
        for kind, marker in kinds:
            if os.path.basename(path).startswith("lib" + marker):
                return kind, path
    return "unknown", ""


def require_real_blas():
    """Stops with an explanation when PyTorch would run on the reference BLAS; returns the header text."""
    kind, path = loaded_blas()
    if kind == "reference":
        sys.exit(f"compare_pytorch: PyTorch loaded the reference BLAS ({path}), about 8 GFLOP/s for a matmul, so\n"
                 "every ratio against it would describe a PyTorch no one runs. Install Debian's OpenBLAS, which\n"
                 "the BLAS alternative then selects:  sudo apt-get install libopenblas0-pthread")
    return f"PyTorch {torch.__version__} on {kind} BLAS ({path or 'not found in /proc/self/maps'})"


def run_ember(binary, threads):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    out = subprocess.run([binary, "--benchmark_format=json", "--benchmark_repetitions=5",
                          "--benchmark_report_aggregates_only=true"],
                         env=env, check=True, capture_output=True, text=True).stdout
    medians = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            medians[b["run_name"]] = b["real_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
    return medians


def torch_epoch(name, threads):
    """(training samples/s counting steps only, test accuracy) of one Fashion-MNIST epoch in PyTorch
    (batch 64, Adam 1e-3)."""
    import gzip
    import numpy as np
    import torch.nn as nn
    torch.manual_seed(0)
    root = "/usr/share/datasets/fashion-mnist/"

    def idx_files(split):
        img = np.frombuffer(gzip.open(root + split + "-images-idx3-ubyte.gz").read()[16:], np.uint8).reshape(-1, 1, 28, 28)
        lab = np.frombuffer(gzip.open(root + split + "-labels-idx1-ubyte.gz").read()[8:], np.uint8)
        return torch.tensor(img, dtype=torch.float32) / 255, torch.tensor(lab, dtype=torch.int64)
    x, y = idx_files("train")
    x_test, y_test = idx_files("t10k")
    model = {
        "mlp": lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.BatchNorm1d(512), nn.ReLU(),
                                     nn.Dropout(0.5), nn.Linear(512, 10)),
        "lenet5": lambda: nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5),
                                        nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(),
                                        nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)),
    }[name]()
    opt, loss_fn = torch.optim.Adam(model.parameters(), lr=1e-3), nn.CrossEntropyLoss()
    perm, seconds = torch.randperm(len(x)), 0.0
    for i in range(0, len(x), 64):
        idx = perm[i:i + 64]
        start = time.perf_counter()
        opt.zero_grad()
        loss_fn(model(x[idx]), y[idx]).backward()
        opt.step()
        seconds += time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
    return len(x) / seconds, accuracy


def suite_models():
    """The PyTorch side of `ember bench`'s workloads: name -> (items per step, unit, step builder)."""
    import math
    import torch.nn as nn
    import torchvision

    def training_step(model, opt, x, y):
        loss_fn = nn.CrossEntropyLoss()
        model.train()

        def step():
            opt.zero_grad()
            logits = model(x)
            loss_fn(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)).backward()
            opt.step()
        return step

    def mlp():
        m = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.BatchNorm1d(512), nn.ReLU(), nn.Dropout(0.5),
                          nn.Linear(512, 10))
        return training_step(m, torch.optim.Adam(m.parameters(), 1e-3), torch.rand(64, 1, 28, 28),
                             torch.randint(0, 10, (64,)))

    def lenet5():
        m = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), nn.Tanh(),
                          nn.AvgPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                          nn.Linear(84, 10))
        return training_step(m, torch.optim.Adam(m.parameters(), 1e-3), torch.rand(64, 1, 28, 28),
                             torch.randint(0, 10, (64,)))

    def resnet18_cifar():
        m = torchvision.models.resnet18(num_classes=10)
        m.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        m.maxpool = nn.Identity()
        return training_step(m, torch.optim.SGD(m.parameters(), 0.01, momentum=0.9), torch.rand(32, 3, 32, 32),
                             torch.randint(0, 10, (32,)))

    class LSTMClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(1000, 128)
            self.rnn = nn.LSTM(128, 256, batch_first=True)
            self.fc = nn.Linear(256, 10)

        def forward(self, ids):
            return self.fc(self.rnn(self.embedding(ids))[0][:, -1])

    def lstm():
        m = LSTMClassifier()
        return training_step(m, torch.optim.Adam(m.parameters(), 1e-3), torch.randint(0, 1000, (64, 100)),
                             torch.randint(0, 10, (64,)))

    class GPT(nn.Module):
        def __init__(self, vocab=1000, context=128, d=256, heads=4, layers=4, d_ff=1024):
            super().__init__()
            self.tok_emb, self.pos_emb = nn.Embedding(vocab, d), nn.Embedding(context, d)
            self.drop = nn.Dropout(0.1)
            layer = nn.TransformerEncoderLayer(d, heads, d_ff, 0.1, activation="gelu", batch_first=True, norm_first=True)
            self.encoder = nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(d))
            self.head = nn.Linear(d, vocab, bias=False)
            self.head.weight = self.tok_emb.weight

        def forward(self, ids):
            x = self.drop(self.tok_emb(ids) + self.pos_emb(torch.arange(ids.shape[1])))
            mask = torch.triu(torch.full((ids.shape[1], ids.shape[1]), float("-inf")), diagonal=1)
            return self.head(self.encoder(x, mask))

    def gpt_tiny():
        m = GPT()
        return training_step(m, torch.optim.AdamW(m.parameters(), 1e-3), torch.randint(0, 1000, (8, 128)),
                             torch.randint(0, 1000, (8, 128)))

    def gemm():
        a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
        return lambda: a @ b

    return {"mlp": (64, "samples", mlp), "lenet5": (64, "samples", lenet5),
            "resnet18-cifar": (32, "samples", resnet18_cifar), "lstm": (64, "samples", lstm),
            "gpt-tiny": (8 * 128, "tokens", gpt_tiny), "gemm": (2.0 * 2048**3 / 1e9, "GFLOP", gemm)}


def run_suite(cli, threads, rounds, header):
    """`ember bench` and PyTorch on each workload, alternating (Ember, PyTorch) `rounds` times so both
    see the same machine state; rates are items (samples, tokens, GFLOP) per second, medians over
    the rounds (each round: median of 5 x 10 steps after 3 warm-up steps)."""
    torch.manual_seed(0)
    print(f"{header}, {threads} threads; {rounds} alternating rounds, each the median of 5 x 10 steps")
    print(f"{'workload':<16}{'unit':>10}{'Ember':>12}{'PyTorch':>12}{'Ember/PyTorch':>15}{'Ember of GEMM':>15}")
    for name, (items, unit, make) in suite_models().items():
        step = make()
        for _ in range(3):
            step()
        ember_rates, torch_rates, fractions = [], [], []
        for _ in range(rounds):
            out = subprocess.run([cli, "bench", name, "--threads", str(threads)], check=True, capture_output=True,
                                 text=True).stdout
            ember_rates.append(float(out.split()[1]))
            fractions.append(float(re.search(r"= ([0-9.]+)% of this run's float32 GEMM", out).group(1)))
            samples = []
            for _ in range(5):
                start = time.perf_counter()
                for _ in range(10):
                    step()
                samples.append((time.perf_counter() - start) / 10)
            torch_rates.append(items / statistics.median(samples))
        e, p = statistics.median(ember_rates), statistics.median(torch_rates)
        print(f"{name:<16}{unit + '/s':>10}{e:>12.1f}{p:>12.1f}{e / p:>14.2f}x{statistics.median(fractions):>14.0f}%")


def ember_epoch(name, threads, cli):
    """(training samples/s, test accuracy) of the same epoch through `ember train` (its epoch time includes
    data loading; no validation split, so both train on all 60,000 images)."""
    import tempfile
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([cli, "train", "--model", name, "--epochs", "1", "--batch-size", "64", "--optimizer", "adam",
                        "--lr", "0.001", "--weight-decay", "0", "--scheduler", "none", "--val-split", "0",
                        "--threads", str(threads), "--quiet", "--out", out + "/run"], check=True, capture_output=True)
        with open(out + "/run/summary.json") as f:
            summary = json.load(f)
            return summary["train_samples_per_sec"], summary["test_accuracy"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--bench", default="build/release/bench/ember-bench")
    parser.add_argument("--training", action="store_true", help="compare one training epoch of mlp and lenet5 instead")
    parser.add_argument("--cli", default="build/release/tools/ember")
    parser.add_argument("--suite", action="store_true", help="the training-step workloads of `ember bench` instead")
    parser.add_argument("--rounds", type=int, default=3, help="--suite: alternating Ember/PyTorch rounds per workload")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    header = require_real_blas()
    if args.suite:
        run_suite(args.cli, args.threads, args.rounds, header)
        return
    if args.training:
        print(f"{header}, {args.threads} threads; one Fashion-MNIST epoch, batch 64, Adam 1e-3")
        print(f"{'model':<10}{'Ember samples/s':>18}{'PyTorch samples/s':>20}{'Ember/PyTorch':>15}"
              f"{'Ember test acc':>16}{'PyTorch test acc':>18}")
        for name in ("mlp", "lenet5"):
            (e, e_acc), (p, p_acc) = ember_epoch(name, args.threads, args.cli), torch_epoch(name, args.threads)
            print(f"{name:<10}{e:>18.0f}{p:>20.0f}{e / p:>14.2f}x{e_acc:>16.4f}{p_acc:>18.4f}")
        return
    ember = run_ember(args.bench, args.threads)
    print(f"{header}, {args.threads} threads; medians of 5 (Ember) / 7 (PyTorch) repetitions")
    print(f"{'case':<24}{'unit':>9}{'Ember':>12}{'PyTorch':>12}{'Ember/PyTorch':>15}")
    for name, bench_name, unit, work, make in CASES:
        t_torch = time_torch(make())
        t_ember = ember.get(bench_name)
        if t_ember is None:
            print(f"{name:<24} missing from Ember's output")
            continue
        if work is None:  # per-op overhead: lower is better, ratio = speed-up
            e, p = t_ember * 1e6, t_torch * 1e6
            ratio = p / e
        else:
            e, p = work / t_ember / 1e9, work / t_torch / 1e9
            ratio = e / p
        print(f"{name:<24}{unit:>9}{e:>12.3f}{p:>12.3f}{ratio:>14.2f}x")


if __name__ == "__main__":
    main()
