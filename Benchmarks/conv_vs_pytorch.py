#!/usr/bin/env python3
"""Time VGG16's 13 convolutions (32x32 inputs, 3x3, stride 1, pad 1) in PyTorch eager on the CPU
— forward, backward-data and backward-weights separately, NCHW and channels_last — and, given
ck-bench's JSON (or the ck-bench binary, run first in the same invocation), print ck / PyTorch per
layer against the better PyTorch layout.

  swift build -c release && python3 Benchmarks/conv_vs_pytorch.py --threads 2 --batch 100 \
      --ck-bench .build/release/ck-bench

Backward passes use aten.convolution_backward with an output mask selecting only the input or only
the weight gradient, which is what autograd calls; bias gradients are excluded on both sides.
Needs PyTorch (`pip install torch`); exits with a message when it is missing.
"""
import argparse
import json
import statistics
import subprocess
import sys
import time

LAYERS = [(32, 3, 64), (32, 64, 64), (16, 64, 128), (16, 128, 128),
          (8, 128, 256), (8, 256, 256), (8, 256, 256),
          (4, 256, 512), (4, 512, 512), (4, 512, 512),
          (2, 512, 512), (2, 512, 512), (2, 512, 512)]


def median_ms(fn, repeats):
    fn()  # warm-up (oneDNN primitive creation, page faults)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def time_torch(torch, batch, repeats, channels_last):
    aten = torch.ops.aten
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    out = []
    with torch.no_grad():
        for side, cin, cout in LAYERS:
            x = torch.randn(batch, cin, side, side).to(memory_format=fmt)
            w = (torch.randn(cout, cin, 3, 3) * 0.05).to(memory_format=fmt)
            b = torch.zeros(cout)
            dy = torch.randn(batch, cout, side, side).to(memory_format=fmt)
            args = ([0], [1, 1], [1, 1], [1, 1], False, [0, 0], 1)
            fwd = median_ms(lambda: torch.nn.functional.conv2d(x, w, b, 1, 1), repeats)
            bwd_d = median_ms(lambda: aten.convolution_backward(dy, x, w, *args, [True, False, False]), repeats)
            bwd_w = median_ms(lambda: aten.convolution_backward(dy, x, w, *args, [False, True, False]), repeats)
            out.append((fwd, bwd_d, bwd_w))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--ck-json", help="output of `ck-bench conv --json` to compare with")
    ap.add_argument("--ck-bench", help="path of the ck-bench binary: run it first (same threads/batch)")
    a = ap.parse_args()
    try:
        import torch
    except ImportError:
        sys.exit("PyTorch is not installed (pip install torch); nothing to compare.")
    ck = None
    if a.ck_bench:
        cmd = [a.ck_bench, "conv", "--json", "--threads", str(a.threads), "--batch", str(a.batch),
               "--repeats", str(a.repeats)]
        ck = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    elif a.ck_json:
        with open(a.ck_json) as f:
            ck = json.load(f)
    torch.set_num_threads(a.threads)
    print(f"PyTorch {torch.__version__}, {a.threads} thread(s), batch {a.batch}, median of {a.repeats}; "
          f"mkldnn available: {torch.backends.mkldnn.is_available()}")
    nchw = time_torch(torch, a.batch, a.repeats, False)
    nhwc = time_torch(torch, a.batch, a.repeats, True)
    ck_rows = {}
    if ck:
        for r in ck["results"]:
            if int(r["threads"]) == a.threads:
                ck_rows[r["layer"]] = (r["fwd_ms"], r["bwd_data_ms"], r["bwd_weights_ms"])
    hdr = f"{'layer':7} {'HxW':6} {'C->K':9} | {'NCHW f/d/w ms':>22} {'sum':>7} | {'NHWC f/d/w ms':>22} {'sum':>7}"
    if ck_rows:
        hdr += f" | {'ck f/d/w ms':>22} {'sum':>7} | ck/best"
    print(hdr)
    tot = [0.0, 0.0, 0.0]
    for i, (side, cin, cout) in enumerate(LAYERS):
        name = f"conv{i + 1}"
        s1, s2 = sum(nchw[i]), sum(nhwc[i])
        tot[0] += s1
        tot[1] += s2
        line = (f"{name:7} {side}x{side:<4} {cin:>3}->{cout:<4} | "
                f"{nchw[i][0]:6.1f} {nchw[i][1]:7.1f} {nchw[i][2]:7.1f} {s1:7.1f} | "
                f"{nhwc[i][0]:6.1f} {nhwc[i][1]:7.1f} {nhwc[i][2]:7.1f} {s2:7.1f}")
        if name in ck_rows:
            c = ck_rows[name]
            sc = sum(c)
            tot[2] += sc
            line += f" | {c[0]:6.1f} {c[1]:7.1f} {c[2]:7.1f} {sc:7.1f} | {sc / min(s1, s2):5.2f}"
        print(line)
    best = min(tot[0], tot[1])
    print(f"total: PyTorch NCHW {tot[0]:.1f} ms, channels_last {tot[1]:.1f} ms"
          + (f"; ck {tot[2]:.1f} ms; ck / best PyTorch = {tot[2] / best:.3f}" if ck_rows else ""))


if __name__ == "__main__":
    main()
