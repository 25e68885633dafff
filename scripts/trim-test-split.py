#!/usr/bin/env python3
"""Copies a MedMNIST .npz keeping every array but cutting the test split to its first N samples.

The GPU bundle carries DermaMNIST for the epoch timings, which read train and val only; the loader
still wants all three splits, so the test split keeps N samples (default 16) and the bundle saves ~4 MB.
Plain Python (zipfile + the .npy header), no numpy needed:
    scripts/trim-test-split.py IN.npz OUT.npz [N]
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
    src, dst = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 16
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("test_"):
                data = cut_npy(data, n)
            zout.writestr(info.filename, data)


if __name__ == "__main__":
    main()
