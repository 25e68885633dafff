#!/usr/bin/env python3
"""Copies a MedMNIST .npz keeping every array but cutting splits to their first samples.

The GPU bundle carries DermaMNIST for the epoch timings, which read train and val only; the loader
still wants all three splits, so the test split keeps 16 samples, and the training split is cut too
so that the working tree and the bundle together fit what the device tool carries (64 MiB).
Plain Python (zipfile + the .npy header), no numpy needed:
    scripts/trim-splits.py IN.npz OUT.npz SPLIT=N [SPLIT=N ...]     e.g. train=2500 test=16
"""
import ast
import sys
import zipfile


def cut_npy(data: bytes, n: int) -> bytes:
    if data[:6] != b"\x93NUMPY":
        raise SystemExit("not a .npy array")
    major = data[6]
    hlen_size = 2 if major == 1 else 4
    hlen = int.from_bytes(data[8:8 + hlen_size], "little")
    start = 8 + hlen_size
    header = ast.literal_eval(data[start:start + hlen].decode("latin1"))
    shape = header["shape"]
    if header["fortran_order"] or not shape:
        raise SystemExit("expected a C-ordered array with a leading sample axis")
    row = len(data[start + hlen:]) // shape[0]
    n = min(n, shape[0])
    header["shape"] = (n,) + tuple(shape[1:])
    text = repr(header).encode("latin1")
    pad = (-(start + len(text) + 1)) % 64
    text = text + b" " * pad + b"\n"
    return data[:6] + bytes([major, data[7]]) + len(text).to_bytes(hlen_size, "little") + text \
        + data[start + hlen:start + hlen + n * row]


def main() -> None:
    if len(sys.argv) < 4:
        raise SystemExit("usage: trim-splits.py IN.npz OUT.npz SPLIT=N [SPLIT=N ...] (SPLIT: train, val or test)")
    src, dst = sys.argv[1], sys.argv[2]
    keep = {}
    for arg in sys.argv[3:]:
        split, _, n = arg.partition("=")
        if split not in ("train", "val", "test") or not n.isdigit():
            raise SystemExit(f"expected SPLIT=N with SPLIT train, val or test, got '{arg}'")
        keep[split] = int(n)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            split = info.filename.split("_", 1)[0]
            if split in keep:
                data = cut_npy(data, keep[split])
            zout.writestr(info.filename, data)


if __name__ == "__main__":
    main()
