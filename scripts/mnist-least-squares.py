#!/usr/bin/env python3
# Usage: python3 scripts/mnist-least-squares.py [MNIST_DIR]  (numpy; default ../shared/data/mnist)
# Closed-form least-squares linear regression on MNIST (pixels/255, one-hot targets, bias):
# the optimum the SGD-trained "Linear regression" row of `mnist-mlp lifted` approaches.
import gzip, numpy as np
import sys
d = (sys.argv[1] if len(sys.argv) > 1 else "../shared/data/mnist").rstrip("/") + "/"
def imgs(f): return np.frombuffer(gzip.open(d + f).read()[16:], np.uint8).reshape(-1, 784) / 255.0
def labs(f): return np.frombuffer(gzip.open(d + f).read()[8:], np.uint8)
X, y, Xt, yt = imgs("train-images-idx3-ubyte.gz"), labs("train-labels-idx1-ubyte.gz"), imgs("t10k-images-idx3-ubyte.gz"), labs("t10k-labels-idx1-ubyte.gz")
A = np.hstack([X, np.ones((len(X), 1))]); At = np.hstack([Xt, np.ones((len(Xt), 1))])
W = np.linalg.lstsq(A, np.eye(10)[y], rcond=None)[0]
print("train %.2f test %.2f" % (100 * (A @ W).argmax(1).__eq__(y).mean(), 100 * (At @ W).argmax(1).__eq__(yt).mean()))
