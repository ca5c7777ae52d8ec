#!/usr/bin/env python3
"""Data-parallel scaling model of cifar-vgg under MPI (README, "Training on several machines").

Per step, every rank computes on batch/N images at `rate` images/s, then the gradient (134 MB for
VGG16 at width 1) is summed with a ring allreduce: 2(N-1)/N * bytes / bandwidth (latency terms,
about 2(N-1) * 10 us, are left out: < 2 ms at N = 64). Two bounds: no overlap (compute + allreduce)
and perfect overlap (max of the two; BP can approach it, see README). Evaluation of the held-out
and test images is left out (a forward pass, sharded, ~3% of an epoch).

    python3 scripts/mpi-scaling-model.py [--rate 110] [--bytes 134e6]
"""
import argparse

p = argparse.ArgumentParser()
p.add_argument("--rate", type=float, default=110.0, help="images/s of one machine on the full-width VGG16 step")
p.add_argument("--bytes", type=float, default=134e6, help="gradient bytes")
a = p.parse_args()

recipes = [("CIFAR-10", 130, 45_000, 100), ("ImageNet32", 130, 1_200_000, 250)]
links = [10, 25, 100]
day = 86_400.0

def allreduce(n, gbps):
    return 2 * (n - 1) / n * a.bytes / (gbps * 1e9 / 8)

print(f"rate {a.rate:g} images/s per machine, gradient {a.bytes / 1e6:g} MB\n")
print("| N | ring allreduce 10 / 25 / 100 Gb/s (ms) | CIFAR-10 compute/step (ms, batch 100) | ImageNet32 compute/step (ms, batch 250) |")
print("|---|---|---|---|")
for n in [2, 4, 8, 16, 32, 64]:
    ar = " / ".join(f"{1000 * allreduce(n, g):.0f}" for g in links)
    print(f"| {n} | {ar} | {1000 * 100 / n / a.rate:.0f} | {1000 * 250 / n / a.rate:.0f} |")
print()
for name, epochs, images, batch in recipes:
    steps = epochs * images / batch
    print(f"{name}: {epochs} epochs x {images:,} images, batch {batch}: {steps:,.0f} steps; one machine {steps * batch / a.rate / 3600:.1f} h")
    print("| N | " + " | ".join(f"{g} Gb/s: no overlap / overlap (h)" for g in links) + " |")
    print("|---|" + "---|" * len(links))
    for n in [1, 2, 4, 8, 16, 32, 64]:
        compute = batch / n / a.rate
        cells = []
        for g in links:
            c = allreduce(n, g) if n > 1 else 0.0
            serial, overlap = steps * (compute + c) / 3600, steps * max(compute, c) / 3600
            mark = lambda h: f"**{h:.1f}**" if h <= 24 else f"{h:.1f}"
            cells.append(f"{mark(serial)} / {mark(overlap)}")
        note = "" if batch % n == 0 else " (batch not divisible)"
        print(f"| {n}{note} | " + " | ".join(cells) + " |")
    def first(g, overlap, divides):
        for n in range(1, 257):
            if divides and batch % n: continue
            c = allreduce(n, g) if n > 1 else 0.0
            t = max(batch / n / a.rate, c) if overlap else batch / n / a.rate + c
            if steps * t <= day: return str(n)
        return "never (N ≤ 256)"
    for g in links:
        print(f"- {g} Gb/s: within a day from N = {first(g, False, False)} without overlap ({first(g, False, True)} dividing the batch {batch}), "
              f"N = {first(g, True, False)} with full overlap ({first(g, True, True)} dividing it)")
    print()
