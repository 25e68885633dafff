#!/usr/bin/env python3
"""Makes the repository's own fixtures (engine/src/test/resources/fixtures) from the full ones.

Usage:  python3 scripts/golden/trim.py FULL_ROOT [OUT_ROOT]
  FULL_ROOT  a folder holding golden/ (the PyTorch fixtures, 58 MB), data/breastmnist.npz and
             challenge/published-results.csv (e.g. the shared/ folder beside the clone)
  OUT_ROOT   default: engine/src/test/resources/fixtures next to this script's repository

Needs only numpy (any version >= 1.20). Every op fixture, both manifests, the READMEs and the
pth checkpoints are copied byte for byte. In the whole-model fixtures, a per-parameter array
with more than LIMIT elements is replaced by its first 256 elements (row-major) and its L2 norm
(float64, shape (1,)), the layout the second golden batch already uses for large gradients:

  <group>.grad.<key>          -> <group>.grad_first256.<key>       + <group>.gradnorm.<key>
  <group>.after_step.<key>    -> <group>.after_step_first256.<key> + <group>.after_step_norm.<key>

(an existing gradnorm is kept as it is). Everything else (inputs, logits, losses, running
statistics, init weights, generator checks) is kept whole. The Java comparisons accept either
form (org.gradlab.nn.golden.TrimmedReference).
"""
import os
import shutil
import sys

import numpy as np

LIMIT = {  # per-file element limit for kept-whole per-parameter arrays
    "model08.npz": 4096,
    "resnet18.npz": 4096,
    "efficientnet_b0.npz": 4096,
}
TRIMMED_KINDS = {"grad": ("grad_first256", "gradnorm"),
                 "after_step": ("after_step_first256", "after_step_norm")}
COPY_DIRS = {"golden": None, "golden/pth": None}
DATA = ["breastmnist.npz"]
CHALLENGE = ["published-results.csv", "README.md"]


def trim(src, dst, limit):
    z = np.load(src)
    out = {}
    for k in z.files:
        a = z[k]
        parts = k.split(".", 2)  # <case>.<group>.<kind>.<key...> for whole models: model.f64.grad.x.y
        if parts[0] == "model" and len(parts) == 3:
            kind, _, key = parts[2].partition(".")
            group = parts[0] + "." + parts[1]
            if kind in TRIMMED_KINDS and key and a.size > limit:
                first, norm = TRIMMED_KINDS[kind]
                out[f"{group}.{first}.{key}"] = a.reshape(-1)[:256].copy()
                norm_key = f"{group}.{norm}.{key}"
                if norm_key not in z.files:
                    out[norm_key] = np.array([np.linalg.norm(a.astype(np.float64).reshape(-1))])
                continue
        out[k] = a
    np.savez(dst, **out)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    full = sys.argv[1]
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(repo, "engine/src/test/resources/fixtures")
    for sub in COPY_DIRS:
        os.makedirs(os.path.join(out, sub), exist_ok=True)
        for name in sorted(os.listdir(os.path.join(full, sub))):
            src = os.path.join(full, sub, name)
            if not os.path.isfile(src):
                continue
            dst = os.path.join(out, sub, name)
            if name in LIMIT:
                trim(src, dst, LIMIT[name])
            else:
                shutil.copyfile(src, dst)
            print(f"{sub}/{name}: {os.path.getsize(src):,} -> {os.path.getsize(dst):,} bytes")
    for sub, names in (("data", DATA), ("challenge", CHALLENGE)):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
        for name in names:
            shutil.copyfile(os.path.join(full, sub, name), os.path.join(out, sub, name))
            print(f"{sub}/{name}: {os.path.getsize(os.path.join(out, sub, name)):,} bytes")


if __name__ == "__main__":
    main()
