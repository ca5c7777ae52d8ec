#!/usr/bin/env python3
"""One gradient step of the paper's VGG16 (13 convs, head 512-4096-4096-10, ReLU, batch B, 32x32):
ours (`dualprop-bench step --json`, a subprocess per round) against PyTorch eager on the CPU
(forward + cross-entropy + backward, no optimizer step — what `dualprop-bench step` times),
NCHW and channels_last, interleaved round by round; prints the median over rounds of each side's
per-round median and the ratio ours/PyTorch-best.

  swift build -c release --product dualprop-bench
  python3 Benchmarks/vgg_step_vs_pytorch.py --threads 1 --rounds 3 --repeats 3 \
      --bench .build/release/dualprop-bench --rules bp,dpT0,dpTh --conv-algo direct,auto [--isa avx2]

--isa avx2 caps both sides: CK_MAX_ISA=avx2 for ours, ONEDNN_MAX_CPU_ISA=AVX2 and
ATEN_CPU_CAPABILITY=avx2 for PyTorch (set before torch is imported). Needs PyTorch.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--batch", type=int, default=100)
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--repeats", type=int, default=3, help="timed steps per side per round (median)")
ap.add_argument("--bench", default=".build/release/dualprop-bench")
ap.add_argument("--rules", default="bp,dpT0,dpTh")
ap.add_argument("--conv-algo", default=None, help="e.g. direct,auto (interleaved inside dualprop-bench)")
ap.add_argument("--isa", choices=["native", "avx2"], default="native")
ap.add_argument("--compile", action="store_true",
                help="also time torch.compile (inductor) of the channels_last model (compiles first: minutes)")
a = ap.parse_args()

ck_env = dict(os.environ)
if a.isa == "avx2":
    os.environ["ONEDNN_MAX_CPU_ISA"] = "AVX2"
    os.environ["ATEN_CPU_CAPABILITY"] = "avx2"
    ck_env["CK_MAX_ISA"] = "avx2"
try:
    import torch
    import torch.nn as nn
except ImportError:
    sys.exit("vgg_step_vs_pytorch.py: PyTorch is not installed (pip install torch)")

torch.set_num_threads(a.threads)
torch.manual_seed(0)
CFG = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M']


def vgg16():
    layers, cin = [], 3
    for v in CFG:
        if v == 'M':
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(cin, v, 3, padding=1), nn.ReLU(inplace=True)]
            cin = v
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(512, 4096), nn.ReLU(inplace=True),
                         nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Linear(4096, 10))


def torch_step_fn(fmt, compiled=False):
    m = vgg16().to(memory_format=fmt).train()
    f = torch.compile(m) if compiled else m
    x = torch.randn(a.batch, 3, 32, 32).to(memory_format=fmt)
    y = torch.randint(0, 10, (a.batch,))
    lossf = nn.CrossEntropyLoss()

    def step():
        for p in m.parameters():
            p.grad = None
        lossf(f(x), y).backward()
    for _ in range(2):
        step()  # warm-up
    return step


def median_s(fn, n):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


torch_fns = {"NCHW": torch_step_fn(torch.contiguous_format), "channels_last": torch_step_fn(torch.channels_last)}
if a.compile:
    torch_fns["channels_last compiled"] = torch_step_fn(torch.channels_last, compiled=True)
results = {}
for rnd in range(a.rounds):
    cmd = [a.bench, "step", "--json", "--threads", str(a.threads), "--batch", str(a.batch),
           "--repeats", str(a.repeats), "--rules", a.rules]
    if a.conv_algo:
        cmd += ["--conv-algo", a.conv_algo]
    out = subprocess.run(cmd, env=ck_env, check=True, capture_output=True, text=True).stdout
    doc = json.loads(out.strip().splitlines()[-1])
    for r in doc["rules"]:
        results.setdefault("ours " + r["rule"], []).append(r["median_s"])
    for name, fn in torch_fns.items():
        results.setdefault("pytorch " + name, []).append(median_s(fn, a.repeats))
    print(f"# round {rnd + 1}: " + ", ".join(f"{k} {v[-1]:.3f}s" for k, v in results.items()), file=sys.stderr, flush=True)

med = {k: statistics.median(v) for k, v in results.items()}
best_torch = min(v for k, v in med.items() if k.startswith("pytorch"))
print(f"VGG16 (head 512-4096-4096-10) step, batch {a.batch}, {a.threads} thread(s), isa {a.isa}, "
      f"torch {torch.__version__} ({torch.backends.cpu.get_cpu_capability()}), "
      f"median of {a.rounds} interleaved rounds of {a.repeats}-step medians")
print("| run | step s | images/s | PyTorch best / this (speed-up) |")
print("|---|---|---|---|")
for k, v in med.items():
    print(f"| {k} | {v:.3f} | {a.batch / v:.1f} | {best_torch / v:.2f} |")
