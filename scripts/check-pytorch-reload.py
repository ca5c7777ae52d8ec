#!/usr/bin/env python3
"""Load a cifar-vgg checkpoint into an equivalent PyTorch VGG16 and re-test it.

Usage: python3 scripts/check-pytorch-reload.py RUN_DIR [--checkpoint best] [--data-dir DIR]

Reads RUN_DIR/config.json (dataset, test limit, normalisation), builds a torchvision-style VGG16
(features.<i> conv/ReLU/max-pool, classifier.{0,3,6}; widths read from the checkpoint's shapes),
loads RUN_DIR/<checkpoint>.safetensors with safetensors.torch.load_file (strict load_state_dict),
evaluates the same test images as the Swift run (the first N of the official test file,
normalised with the run's per-channel mean/std) and compares top-1/top-5 with the `test` row of
RUN_DIR/metrics.csv. The official files are channel-planar (3, 32, 32) per image, i.e. already
NCHW, which is what PyTorch's Conv2d expects; the Swift side feeds the same pixels as NHWC.
The classifier's input is 512x1x1, so PyTorch's flatten order matches the Swift one.

Exit status 0 when the accuracies agree within one image's worth (float32 summation order can
flip a near-tie), 1 otherwise. Needs torch, numpy and safetensors.
"""
import argparse
import csv
import json
import os
import sys
import zipfile

import numpy as np
import torch
from safetensors.torch import load_file

VGG16_PLAN = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


def build_vgg16(state):
    """A torchvision-layout VGG16 whose widths match the checkpoint's tensors."""
    layers, index, in_channels = [], 0, 3
    for v in VGG16_PLAN:
        if v == "M":
            layers.append(torch.nn.MaxPool2d(2, 2))
            index += 1
            continue
        out_channels = state[f"features.{index}.weight"].shape[0]
        layers += [torch.nn.Conv2d(in_channels, out_channels, 3, padding=1), torch.nn.ReLU(inplace=True)]
        in_channels, index = out_channels, index + 2
    hidden = state["classifier.0.weight"].shape[0]
    classes = state["classifier.6.weight"].shape[0]
    model = torch.nn.Module()
    model.features = torch.nn.Sequential(*layers)
    model.classifier = torch.nn.Sequential(
        torch.nn.Linear(in_channels, hidden), torch.nn.ReLU(inplace=True), torch.nn.Dropout(),
        torch.nn.Linear(hidden, hidden), torch.nn.ReLU(inplace=True), torch.nn.Dropout(),
        torch.nn.Linear(hidden, classes))
    model.forward = lambda x: model.classifier(torch.flatten(model.features(x), 1))
    return model


def load_test_images(dataset, data_dir):
    """uint8 (N, 3, 32, 32) pixels and int64 labels of the official test file."""
    if dataset == "cifar10":
        path = os.path.join(data_dir, "test_batch.bin")
        if not os.path.exists(path):
            path = os.path.join(data_dir, "cifar-10-batches-bin", "test_batch.bin")
        raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 3073)
        return raw[:, 1:].reshape(-1, 3, 32, 32), raw[:, 0].astype(np.int64)
    if dataset == "cifar100":
        path = os.path.join(data_dir, "test.bin")
        if not os.path.exists(path):
            path = os.path.join(data_dir, "cifar-100-binary", "test.bin")
        raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 3074)
        return raw[:, 2:].reshape(-1, 3, 32, 32), raw[:, 1].astype(np.int64)
    if dataset == "imagenet32":
        for candidate in [os.path.join(data_dir, "val_data.npz"), os.path.join(data_dir, "Imagenet32_val_npz", "val_data.npz")]:
            if os.path.exists(candidate):
                z = np.load(candidate)
                break
        else:
            with zipfile.ZipFile(os.path.join(data_dir, "Imagenet32_val_npz.zip")) as outer:
                import io
                z = np.load(io.BytesIO(outer.read("val_data.npz")))
        return z["data"].reshape(-1, 3, 32, 32), z["labels"].astype(np.int64).reshape(-1) - 1
    sys.exit(f"dataset {dataset!r}: only cifar10, cifar100 and imagenet32 files can be re-read from Python")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run_dir")
    ap.add_argument("--checkpoint", default="best", help="best or last")
    ap.add_argument("--data-dir", help="override the data directory recorded in config.json")
    args = ap.parse_args()

    with open(os.path.join(args.run_dir, "config.json")) as f:
        stored = json.load(f)
    config = stored["configuration"]
    data_dir = args.data_dir or config.get("dataDirectory")
    images, labels = load_test_images(config["dataset"], data_dir)
    if config.get("testLimit"):
        images, labels = images[: config["testLimit"]], labels[: config["testLimit"]]

    # The same normalisation as the Swift lookup table: computed in float64, rounded to float32 once.
    mean = np.array(stored["normalization"]["mean"], dtype=np.float32).astype(np.float64).reshape(1, 3, 1, 1)
    std = np.array(stored["normalization"]["std"], dtype=np.float32).astype(np.float64).reshape(1, 3, 1, 1)
    x = torch.from_numpy(((images.astype(np.float64) / 255 - mean) / std).astype(np.float32))

    state = load_file(os.path.join(args.run_dir, f"{args.checkpoint}.safetensors"))
    model = build_vgg16(state)
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(x[i:i + 500]) for i in range(0, len(x), 500)])
    y = torch.from_numpy(labels)
    top1 = (logits.argmax(1) == y).double().mean().item()
    top5 = (logits.topk(min(5, logits.shape[1]), 1).indices == y[:, None]).any(1).double().mean().item()
    loss = torch.nn.functional.cross_entropy(logits.double(), y).item()

    with open(os.path.join(args.run_dir, "metrics.csv")) as f:
        test_rows = [r for r in csv.DictReader(f) if r["split"] == "test"]
    print(f"PyTorch {torch.__version__}: {args.checkpoint}.safetensors on {len(y)} {config['dataset']} test images: "
          f"top-1 {100 * top1:.2f}%  top-5 {100 * top5:.2f}%  loss {loss:.4f}")
    if not test_rows or args.checkpoint != "best":
        return 0
    swift = test_rows[-1]
    s1, s5, sl = float(swift["top1"]), float(swift["top5"]), float(swift["loss"])
    print(f"Swift (metrics.csv test row):          top-1 {100 * s1:.2f}%  top-5 {100 * s5:.2f}%  loss {sl:.4f}")
    one = 1.0 / len(y) + 1e-9
    ok = abs(top1 - s1) <= one and abs(top5 - s5) <= one and abs(loss - sl) <= 1e-3 * max(1.0, abs(sl))
    print("match" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
