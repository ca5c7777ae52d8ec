#!/usr/bin/env python3
"""Writes the small fixture files of Tests/DualPropDataTests/Fixtures (python3 + numpy only).

Every file is deterministic (fixed zip timestamps, gzip mtime 0), so re-running the script
reproduces the committed bytes. Pixel and label values follow closed formulas that the Swift
tests recompute independently:

  CIFAR-10   file f (data_batch_1..5 -> f=1..5, test_batch -> f=0), record i, channel c, row y, col x:
             pixel = (7*i + 50*c + 3*y + 5*x + 11*f) % 256,  label = (3*i + f) % 10
  CIFAR-100  file f (train -> 1, test -> 0): coarse = (i + f) % 20, fine = (7*i + 3*f) % 100,
             pixel = (5*i + 60*c + 2*y + 3*x + 13*f) % 256
  ImageNet32 batch b (train_data_batch_b -> b=1..10, val -> b=0), record i:
             pixel = (13*i + 31*c + 7*y + 3*x + 17*b) % 256,  label(1..1000) = 1 + (37*i + 101*b) % 1000
  MNIST      split s (train -> 1, t10k -> 0), image i: pixel = (17*i + 28*y + x + 5*s) % 256,
             label = (i + 4*s) % 10
"""
import gzip
import io
import os
import struct
import zipfile
import zlib

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "DualPropDataTests", "Fixtures")
DATE = (2020, 1, 1, 0, 0, 0)

CIFAR10_RECORDS = 12
CIFAR100_TRAIN, CIFAR100_TEST = 10, 6
IMAGENET_PER_BATCH, IMAGENET_VAL = 3, 5
MNIST_TRAIN, MNIST_TEST = 6, 4


def out(*parts):
    path = os.path.join(ROOT, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def grid(n, fn):
    i, c, y, x = np.meshgrid(np.arange(n), np.arange(3), np.arange(32), np.arange(32), indexing="ij")
    return (fn(i, c, y, x) % 256).astype(np.uint8)  # (n, 3, 32, 32)


def gz(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as g:
        g.write(data)
    return buf.getvalue()


def npy(arr):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.ascontiguousarray(arr), allow_pickle=False)
    return buf.getvalue()


def zip_bytes(members, method, force_zip64=False):
    """members: list of (name, bytes). Fixed timestamps so the output is reproducible."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=DATE)
            info.compress_type = method
            info.external_attr = 0o644 << 16
            with z.open(info, "w", force_zip64=force_zip64) as f:
                f.write(data)
    return buf.getvalue()


def npz(arrays, method=zipfile.ZIP_STORED, force_zip64=True):
    # np.savez writes STORED members with force_zip64=True; np.savez_compressed uses DEFLATE.
    return zip_bytes([(k + ".npy", npy(v)) for k, v in arrays], method, force_zip64)


def zip64_everywhere(members):
    """A STORED zip whose central directory keeps sizes and offsets only in zip64 extra fields
    and which ends with a zip64 end record + locator (what archives over 4 GiB look like)."""
    body, central = b"", b""
    for name, data in members:
        n = name.encode()
        crc = zlib.crc32(data)
        offset = len(body)
        local_extra = struct.pack("<HHQQ", 1, 16, len(data), len(data))
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0x5021, crc,
                            0xFFFFFFFF, 0xFFFFFFFF, len(n), len(local_extra)) + n + local_extra + data
        extra = struct.pack("<HHQQQ", 1, 24, len(data), len(data), offset)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0x5021, crc,
                               0xFFFFFFFF, 0xFFFFFFFF, len(n), len(extra), 0, 0, 0, 0, 0xFFFFFFFF) + n + extra
    cd_offset, cd_size, count = len(body), len(central), len(members)
    z64_offset = cd_offset + cd_size
    z64 = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, cd_size, cd_offset)
    locator = struct.pack("<IIQI", 0x07064B50, 0, z64_offset, 1)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return body + central + z64 + locator + eocd


def cifar10_file(f, n):
    px = grid(n, lambda i, c, y, x: 7 * i + 50 * c + 3 * y + 5 * x + 11 * f).reshape(n, 3072)
    labels = ((3 * np.arange(n) + f) % 10).astype(np.uint8)
    return np.concatenate([labels[:, None], px], axis=1).tobytes()


def cifar100_file(f, n):
    px = grid(n, lambda i, c, y, x: 5 * i + 60 * c + 2 * y + 3 * x + 13 * f).reshape(n, 3072)
    i = np.arange(n)
    coarse = ((i + f) % 20).astype(np.uint8)
    fine = ((7 * i + 3 * f) % 100).astype(np.uint8)
    return np.concatenate([coarse[:, None], fine[:, None], px], axis=1).tobytes()


def imagenet_arrays(b, n, label_dtype):
    px = grid(n, lambda i, c, y, x: 13 * i + 31 * c + 7 * y + 3 * x + 17 * b).reshape(n, 3072)
    labels = (1 + (37 * np.arange(n) + 101 * b) % 1000).astype(label_dtype)
    return px, labels


def mnist_files(s, n):
    i, y, x = np.meshgrid(np.arange(n), np.arange(28), np.arange(28), indexing="ij")
    px = ((17 * i + 28 * y + x + 5 * s) % 256).astype(np.uint8)
    labels = ((np.arange(n) + 4 * s) % 10).astype(np.uint8)
    images = struct.pack(">IIII", 2051, n, 28, 28) + px.tobytes()
    labs = struct.pack(">II", 2049, n) + labels.tobytes()
    return images, labs


def main():
    # CIFAR-10: the official names, 12 records per file instead of 10,000.
    for f in range(1, 6):
        write(out("cifar10", f"data_batch_{f}.bin"), cifar10_file(f, CIFAR10_RECORDS))
    write(out("cifar10", "test_batch.bin"), cifar10_file(0, CIFAR10_RECORDS))
    write(out("cifar10", "batches.meta.txt"),
          b"airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n")

    # CIFAR-100 inside the archive's folder name, to exercise the subfolder lookup.
    write(out("cifar100", "cifar-100-binary", "train.bin"), cifar100_file(1, CIFAR100_TRAIN))
    write(out("cifar100", "cifar-100-binary", "test.bin"), cifar100_file(0, CIFAR100_TEST))

    # ImageNet32: extracted npz files (STORED like np.savez, labels int64/int32/uint16 alternating) ...
    dtypes = ["<i8", "<i4", "<u2"]
    train_npz = []
    for b in range(1, 11):
        px, labels = imagenet_arrays(b, IMAGENET_PER_BATCH, dtypes[b % 3])
        mean = np.zeros((1, 3072), dtype=np.float64) + b
        data = npz([("data", px), ("labels", labels), ("mean", mean)])
        write(out("imagenet32-npz", f"train_data_batch_{b}.npz"), data)
        train_npz.append((f"Imagenet32_train_npz/train_data_batch_{b}.npz", data))
    px, labels = imagenet_arrays(0, IMAGENET_VAL, "<i8")
    # ... the validation npz DEFLATE-compressed like np.savez_compressed ...
    val = npz([("data", px), ("labels", labels)], method=zipfile.ZIP_DEFLATED, force_zip64=False)
    write(out("imagenet32-npz", "val_data.npz"), val)
    # ... and the two release zips only (outer zip DEFLATE, members under a folder).
    write(out("imagenet32-zip", "Imagenet32_train_npz.zip"), zip_bytes(train_npz, zipfile.ZIP_DEFLATED))
    write(out("imagenet32-zip", "Imagenet32_val_npz.zip"), zip_bytes([("val_data.npz", val)], zipfile.ZIP_DEFLATED))
    # A zip64-everywhere npz with the same content as val_data.npz.
    write(out("imagenet32-zip64", "val_data.npz"), zip64_everywhere([("data.npy", npy(px)), ("labels.npy", npy(labels))]))

    # MNIST: training files gzip-compressed, test files plain.
    images, labs = mnist_files(1, MNIST_TRAIN)
    write(out("mnist", "train-images-idx3-ubyte.gz"), gz(images))
    write(out("mnist", "train-labels-idx1-ubyte.gz"), gz(labs))
    images, labs = mnist_files(0, MNIST_TEST)
    write(out("mnist", "t10k-images-idx3-ubyte"), images)
    write(out("mnist", "t10k-labels-idx1-ubyte"), labs)

    # Bad inputs, one problem each.
    good = cifar10_file(1, 2)
    write(out("bad", "cifar10_truncated.bin"), good[:-100])
    bad_label = bytearray(cifar10_file(1, 3))
    bad_label[2 * 3073] = 10  # record 2 has label 10
    write(out("bad", "cifar10_label.bin"), bytes(bad_label))
    bad100 = bytearray(cifar100_file(0, 2))
    bad100[3074 + 1] = 100  # record 1 has fine label 100
    write(out("bad", "cifar100_label.bin"), bytes(bad100))
    px, labels = imagenet_arrays(1, 2, "<i8")
    write(out("bad", "npz_member_name.npz"), npz([("images", px), ("labels", labels)]))
    write(out("bad", "npz_data_dtype.npz"), npz([("data", px.astype(np.float32)), ("labels", labels)]))
    write(out("bad", "npz_label_dtype.npz"), npz([("data", px), ("labels", labels.astype(np.float64))]))
    write(out("bad", "npz_data_shape.npz"), npz([("data", px[:, :3000]), ("labels", labels)]))
    write(out("bad", "npz_label_range.npz"), npz([("data", px), ("labels", np.array([1, 1001], dtype="<i8"))]))
    stored = bytearray(npz([("data", px), ("labels", labels)], force_zip64=False))
    stored[200] ^= 0xFF  # a pixel byte of the STORED data.npy: the CRC no longer matches
    write(out("bad", "npz_crc.npz"), bytes(stored))
    write(out("bad", "npz_truncated.npz"), npz([("data", px), ("labels", labels)])[:-30])
    images, labs = mnist_files(1, 2)
    write(out("bad", "mnist_magic-images-idx3-ubyte.gz"), gz(struct.pack(">I", 2050) + images[4:]))
    write(out("bad", "mnist_truncated-images-idx3-ubyte.gz"), gz(images)[:-40])
    write(out("bad", "mnist_short-images-idx3-ubyte"), images[:-28])
    write(out("bad", "mnist_label-labels-idx1-ubyte"), struct.pack(">II", 2049, 2) + bytes([3, 12]))

    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(ROOT) for f in fs)
    print(f"fixtures written to {os.path.normpath(ROOT)}: {total} bytes")


if __name__ == "__main__":
    main()
