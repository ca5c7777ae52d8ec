#!/usr/bin/env python3
"""Time VGG16's 13 convolutions (32x32 inputs, 3x3, stride 1, pad 1) in ck (via `ck-bench conv`)
and in PyTorch eager on the CPU (NCHW and channels_last) — forward, backward-data and
backward-weights separately — interleaved layer by layer in one run, and print the per-layer
table with ck / PyTorch.

  swift build -c release && python3 Benchmarks/conv_vs_pytorch.py --threads 2,1 --batch 100 \
      --ck-bench .build/release/ck-bench [--rounds 3] [--repeats 5] [--markdown]

Interleaving: for each thread count and each layer, `rounds` rounds each time ck (a ck-bench
subprocess for that one layer), PyTorch NCHW and PyTorch channels_last, in an order that rotates
every round; each pass's time is the median over the rounds of the per-round medians of `repeats`
calls (each after one warm-up call). On a shared machine this keeps the three measurements of a
layer seconds apart, so a burst of foreign load hits all of them alike.

Backward passes use aten.convolution_backward with an output mask selecting only the input or only
the weight gradient, which is what autograd calls; bias gradients are excluded on both sides (ck's
forward adds the bias, PyTorch's too). Needs PyTorch; exits with a message when it is missing.
"""
import argparse
import json
import os
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


class TorchLayer:
    """Tensors of one layer in one memory format, allocated once."""

    def __init__(self, torch, batch, side, cin, cout, channels_last):
        fmt = torch.channels_last if channels_last else torch.contiguous_format
        self.torch = torch
        self.x = torch.randn(batch, cin, side, side).to(memory_format=fmt)
        self.w = (torch.randn(cout, cin, 3, 3) * 0.05).to(memory_format=fmt)
        self.b = torch.zeros(cout)
        self.dy = torch.randn(batch, cout, side, side).to(memory_format=fmt)

    def time(self, repeats):
        torch, aten = self.torch, self.torch.ops.aten
        args = ([0], [1, 1], [1, 1], [1, 1], False, [0, 0], 1)
        x, w, b, dy = self.x, self.w, self.b, self.dy
        with torch.no_grad():
            fwd = median_ms(lambda: torch.nn.functional.conv2d(x, w, b, 1, 1), repeats)
            bwd_d = median_ms(lambda: aten.convolution_backward(dy, x, w, *args, [True, False, False]), repeats)
            bwd_w = median_ms(lambda: aten.convolution_backward(dy, x, w, *args, [False, True, False]), repeats)
        return (fwd, bwd_d, bwd_w)


def time_ck(ck_bench, layer, threads, batch, repeats):
    cmd = [ck_bench, "conv", "--json", "--threads", str(threads), "--batch", str(batch),
           "--repeats", str(repeats), "--layers", layer]
    doc = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    r = doc["results"][0]
    return (r["fwd_ms"], r["bwd_data_ms"], r["bwd_weights_ms"]), r["algorithm"]


def med3(rows):
    return tuple(statistics.median(r[i] for r in rows) for i in range(3))


def run_threads(torch, a, threads):
    torch.set_num_threads(threads)
    results = []
    for i, (side, cin, cout) in enumerate(LAYERS):
        name = f"conv{i + 1}"
        if a.layers and name not in a.layers.split(","):
            continue
        nchw = TorchLayer(torch, a.batch, side, cin, cout, False)
        nhwc = TorchLayer(torch, a.batch, side, cin, cout, True)
        samples = {"ck": [], "nchw": [], "nhwc": []}
        algorithm = ""
        order = ["ck", "nchw", "nhwc"]
        for rnd in range(a.rounds):
            for who in order[rnd % 3:] + order[:rnd % 3]:
                if who == "ck":
                    t, algorithm = time_ck(a.ck_bench, name, threads, a.batch, a.repeats)
                else:
                    t = (nchw if who == "nchw" else nhwc).time(a.repeats)
                samples[who].append(t)
        del nchw, nhwc
        results.append((name, side, cin, cout, algorithm,
                        med3(samples["ck"]), med3(samples["nchw"]), med3(samples["nhwc"])))
        print(f"  {threads}T {name} done", file=sys.stderr, flush=True)
    return results


def report(results, threads, batch, markdown):
    sep = " | " if markdown else "  "
    hdr = ["layer", "HxW", "C->K", "ck algorithm", "ck fwd ms", "bwd-d ms", "bwd-w ms",
           "fwd GF/s", "bwd-d GF/s", "bwd-w GF/s", "ck sum", "PT NCHW f/d/w", "NCHW sum",
           "PT NHWC f/d/w", "NHWC sum", "ck/best"]
    lines = []
    if markdown:
        lines.append("| " + sep.join(hdr) + " |")
        lines.append("|" + "|".join("---" for _ in hdr) + "|")
    else:
        lines.append(sep.join(hdr))
    tot_ck = tot_nchw = tot_nhwc = tot_best = 0.0
    for name, side, cin, cout, algo, ck, nchw, nhwc in results:
        gflop = 2 * batch * side * side * cout * 9 * cin * 1e-9
        s_ck, s_nchw, s_nhwc = sum(ck), sum(nchw), sum(nhwc)
        best = min(s_nchw, s_nhwc)
        tot_ck += s_ck
        tot_nchw += s_nchw
        tot_nhwc += s_nhwc
        tot_best += best
        row = [name, f"{side}x{side}", f"{cin}->{cout}", algo,
               f"{ck[0]:.1f}", f"{ck[1]:.1f}", f"{ck[2]:.1f}",
               f"{gflop / ck[0] * 1e3:.0f}", f"{gflop / ck[1] * 1e3:.0f}", f"{gflop / ck[2] * 1e3:.0f}",
               f"{s_ck:.1f}", "/".join(f"{v:.1f}" for v in nchw), f"{s_nchw:.1f}",
               "/".join(f"{v:.1f}" for v in nhwc), f"{s_nhwc:.1f}", f"{s_ck / best:.2f}"]
        lines.append(("| " + sep.join(row) + " |") if markdown else sep.join(row))
    best_layout = min(tot_nchw, tot_nhwc)
    summary = (f"{threads} thread(s), batch {batch}: sum ck {tot_ck:.1f} ms; PyTorch NCHW {tot_nchw:.1f} ms, "
               f"channels_last {tot_nhwc:.1f} ms, per-layer best {tot_best:.1f} ms; "
               f"ck / best layout = {tot_ck / best_layout:.3f}, ck / per-layer best = {tot_ck / tot_best:.3f}")
    return "\n".join(lines), summary


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", default="2", help="comma-separated thread counts, e.g. 2,1")
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=5, help="timed calls per pass per round (median)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds per layer (median)")
    ap.add_argument("--layers", help="only these layers, e.g. conv2,conv3")
    ap.add_argument("--ck-bench", required=True, help="path of the ck-bench binary (release build)")
    ap.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    a = ap.parse_args()
    try:
        import torch
    except ImportError:
        sys.exit("PyTorch is not installed (pip install torch); nothing to compare.")
    load0 = os.getloadavg()
    print(f"PyTorch {torch.__version__} (mkldnn {torch.backends.mkldnn.is_available()}), batch {a.batch}, "
          f"{a.rounds} interleaved rounds x median of {a.repeats}; load average at start "
          f"{load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}")
    for t in [int(v) for v in a.threads.split(",")]:
        t0 = time.time()
        results = run_threads(torch, a, t)
        table, summary = report(results, t, a.batch, a.markdown)
        load = os.getloadavg()
        print(f"\n{t} thread(s) ({time.time() - t0:.0f} s, load average after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})")
        print(table)
        print(summary)


if __name__ == "__main__":
    main()
