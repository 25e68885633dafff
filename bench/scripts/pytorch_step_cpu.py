#!/usr/bin/env python3
"""CPU time of one exp-08 training step in PyTorch, per layer and whole, on one fixed batch: the
counterpart of GradLab's `StepCpuTime` (bench/src/main/java/org/gradlab/bench/StepCpuTime.java).

CPU time of the training thread (time.thread_time_ns), not wall time, so that a loaded host, where
wall time mostly measures the other processes, still gives each layer's own work. One thread by
default (--threads); with more, the figures are the training thread's share.

Model and recipe: pytorch_epoch.py's exp 08 (3 x [Conv3x3 p1 - BN - ReLU - MaxPool2] 32-64-128,
AdaptiveAvgPool(1), Flatten, Linear(128, 7); Adam lr 1e-3; mean cross-entropy; batch 32), on a
fixed random batch. The whole step is timed first, without hooks; then forward per layer: a forward pre-hook and hook; backward per layer: the time
between the full backward hooks of the layer after it and of the layer itself (the last layer's
from the start of backward; the first layer's also the rest of backward: its input needs no
gradient, so its hook fires before its filter gradient). Prints the median over the timed steps.
  /usr/bin/python3 bench/scripts/pytorch_step_cpu.py [--steps 101] [--threads 1]"""
import argparse, statistics, time
import torch
import torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument("--steps", type=int, default=101)
p.add_argument("--warmup", type=int, default=30)
p.add_argument("--threads", type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)

layers, c = [], 3
for o in (32, 64, 128):  # pytorch_epoch.py's blocks(True) and model_for("08")
    layers += [nn.Conv2d(c, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(), nn.MaxPool2d(2)]
    c = o
model = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 7))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
crit = nn.CrossEntropyLoss()
x = torch.rand(32, 3, 28, 28)
y = torch.randint(0, 7, (32,))


def step():
    loss = crit(model(x), y)
    opt.zero_grad()
    tb = time.thread_time_ns()
    loss.backward()
    t1 = time.thread_time_ns()
    opt.step()
    loss.item()
    return tb, t1


whole = []  # first without hooks: they cost Python calls and extra autograd nodes
for s in range(a.warmup + a.steps):
    t0 = time.thread_time_ns()
    step()
    if s >= a.warmup:
        whole.append((time.thread_time_ns() - t0) / 1e6)

mods = list(model)
names = [f"{i} {type(m).__name__}" for i, m in enumerate(mods)]
fwd = [0] * len(mods)
bwd_at = [0] * len(mods)
for i, m in enumerate(mods):
    m.register_forward_pre_hook(lambda m, inp, i=i: fwd.__setitem__(i, -time.thread_time_ns()))
    m.register_forward_hook(lambda m, inp, out, i=i: fwd.__setitem__(i, fwd[i] + time.thread_time_ns()))
    m.register_full_backward_hook(lambda m, gi, go, i=i: bwd_at.__setitem__(i, time.thread_time_ns()))

per_f = [[] for _ in mods]
per_b = [[] for _ in mods]
rest, hooked = [], []
for s in range(a.warmup + a.steps):
    t0 = time.thread_time_ns()
    tb, t1 = step()
    t2 = time.thread_time_ns()
    if s >= a.warmup:
        hooked.append((t2 - t0) / 1e6)
        rest.append((t2 - t1) / 1e6)
        prev = tb
        for i in reversed(range(len(mods))):
            per_f[i].append(fwd[i] / 1e6)
            per_b[i].append((bwd_at[i] - prev) / 1e6)
            prev = bwd_at[i]
        per_b[0][-1] += (t1 - prev) / 1e6  # the first conv's filter gradient: its input needs none, so its hook fires first

med = statistics.median
print(f"PyTorch {torch.__version__}, {a.threads} thread(s), exp 08 step on a fixed batch of 32: CPU ms of the training thread, "
      f"median of {a.steps} steps")
print(f"  {'layer':<22} {'fwd ms':>8} {'bwd ms':>8}")
kinds = {}
for i, n in enumerate(names):
    f, b = med(per_f[i]), med(per_b[i])
    print(f"  {n:<22} {f:8.3f} {b:8.3f}")
    k = kinds.setdefault(type(mods[i]).__name__, [0.0, 0.0])
    k[0] += f
    k[1] += b
print(f"  {'op':<22} {'fwd ms':>8} {'bwd ms':>8}")
for k, (f, b) in sorted(kinds.items(), key=lambda kv: -(kv[1][0] + kv[1][1])):
    print(f"  {k:<22} {f:8.3f} {b:8.3f}")
print(f"  optimizer + loss.item {med(rest):8.3f}")
print(f"  whole step with the hooks {med(hooked):8.3f} (the per-layer figures include the hooks' cost)")
print(f"RESULT framework=pytorch-{torch.__version__} threads={a.threads} step_cpu_ms={med(whole):.3f}")
