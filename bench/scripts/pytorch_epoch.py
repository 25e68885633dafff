#!/usr/bin/env python3
"""Seconds per training epoch of a "Beat the Baseline" experiment in PyTorch, for comparison with
`./gradlab bench epoch`. Same data (a MedMNIST npz), same recipe, same batch size, same thread
count; one warm-up epoch, then the median of N epochs. Prints one RESULT line.

On CUDA, --tf32 on|off sets torch.backends.cudnn.allow_tf32 and torch.backends.cuda.matmul.allow_tf32
(PyTorch's defaults: on for cuDNN convolutions, off for matmul); GradLab's counterparts are
-Dgradlab.cuda.math=exact|tf32. The RESULT line names the setting.

--model efficientnet_b0|vit_tiny times torchvision's backbones in place of an experiment's recipe, with
the recipe of `./gradlab bench epoch --model` (bench/.../BackboneEpoch.java): one output per class, the
data's own channels (torchvision's first conv, `features.0.0` / `conv_proj`, rebuilt for 1-channel
BreastMNIST), AdamW (lr 1e-3, torch's defaults otherwise: weight decay 0.01), batch 32, mean cross-entropy,
no augmentation, pixels / 255. --size S resizes every training image once before timing with PIL's
bilinear filter (GradLab's Resize is bit-exact against it); ViT-Tiny (12 layers) takes --patch, default
4 below 64 px, else 8."""
import argparse, os, statistics, time
import numpy as np
import torch
import torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument("--data", required=True)
p.add_argument("--exp", default="08")
p.add_argument("--epochs", type=int, default=3)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--limit-train", type=int, default=None)
p.add_argument("--device", default="cpu")
p.add_argument("--tf32", choices=["on", "off"], default="on",
               help="allow TF32 in cuDNN convolutions and cuBLAS matmuls (default on: PyTorch's cuDNN default)")
p.add_argument("--model", choices=["efficientnet_b0", "vit_tiny"], default=None,
               help="time a torchvision backbone instead of the experiment's model and recipe")
p.add_argument("--size", type=int, default=None, help="with --model: image side, resized once before timing (default: the file's)")
p.add_argument("--patch", type=int, default=None, help="with --model vit_tiny: patch side (default 4 below 64 px, else 8)")
p.add_argument("--profile", action="store_true",
               help="after the timed epochs, one more under torch.profiler: ms per step per aten op (GradLab: bench epoch --profile)")
p.add_argument("--profile-rows", type=int, default=12, help="with --profile: how many of the heaviest ops to print")
a = p.parse_args()
torch.set_num_threads(a.threads)
try:  # which BLAS library serves torch's matmuls (Debian's python3-torch: whatever libblas.so.3 resolves to)
    blas = sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.rsplit("/", 1)[-1]})
    print(f"torch BLAS: {', '.join(blas) or 'none loaded'} (OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')})")
except OSError:
    pass
torch.manual_seed(0)
dev = torch.device(a.device)
torch.backends.cudnn.allow_tf32 = a.tf32 == "on"
torch.backends.cuda.matmul.allow_tf32 = a.tf32 == "on"

z = np.load(a.data)
imgs = z["train_images"]
x = torch.from_numpy(imgs if imgs.ndim == 4 else imgs[..., None]).permute(0, 3, 1, 2).contiguous()  # grayscale: (N, H, W)
y = torch.from_numpy(z["train_labels"].reshape(-1).astype(np.int64))
if a.limit_train:
    x, y = x[: a.limit_train], y[: a.limit_train]
native = x.shape[2]
side = a.size or native
resize_s = 0.0
if side != native:
    from PIL import Image
    t = time.perf_counter()
    hwc = x.permute(0, 2, 3, 1).numpy()  # PIL takes (H, W) for grayscale, (H, W, 3) for RGB
    pil = [Image.fromarray(im[:, :, 0] if im.shape[2] == 1 else im).resize((side, side), Image.BILINEAR) for im in hwc]
    x = torch.from_numpy(np.stack([np.asarray(im).reshape(side, side, -1) for im in pil])).permute(0, 3, 1, 2).contiguous()
    resize_s = time.perf_counter() - t
patch = a.patch or (4 if side < 64 else 8)


def blocks(bn, chans=(32, 64, 128)):
    layers, c = [], 3
    for o in chans:
        layers += [nn.Conv2d(c, o, 3, padding=1)] + ([nn.BatchNorm2d(o)] if bn else []) + [nn.ReLU(), nn.MaxPool2d(2)]
        c = o
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())


def model_for(exp):
    if exp in ("01", "02", "03", "04", "05"):
        return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1),
                             nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 7 * 7, 7))
    if exp in ("21", "22"):
        return nn.Sequential(blocks(True), nn.Dropout(0.4), nn.Linear(128, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 7))
    if exp == "25":
        import torchvision
        m = torchvision.models.resnet18(weights=None)
        m.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        m.maxpool = nn.Identity()
        m.fc = nn.Sequential(nn.Dropout(0.3), nn.Linear(512, 7))
        return m
    return nn.Sequential(blocks(True), nn.Linear(128, 7))  # 08


def backbone(name, classes, channels):
    import torchvision
    if name == "efficientnet_b0":
        m = torchvision.models.efficientnet_b0(weights=None, num_classes=classes)  # dropout 0.2, stochastic depth 0.2
        if channels != 3:
            m.features[0][0] = nn.Conv2d(channels, 32, 3, 2, 1, bias=False)
        return m
    from torchvision.models import VisionTransformer  # ViT-Tiny: hidden 192, 3 heads, MLP 768, 12 layers
    m = VisionTransformer(image_size=side, patch_size=patch, num_layers=12, num_heads=3, hidden_dim=192, mlp_dim=768,
                          num_classes=classes)
    if channels != 3:
        m.conv_proj = nn.Conv2d(channels, 192, patch, patch)
    return m


classes = max(int(z[f"{s}_labels"].max()) for s in ("train", "val", "test")) + 1  # as GradLab's MedMnist.load counts them
if a.model:
    recipe = (32, "adamw", 1e-3, False)
    run = a.model
else:
    recipe = {"01": (32, "sgd", 0.1, False), "08": (32, "adam", 1e-3, False), "21": (64, "adam", 1e-3, True),
              "25": (64, "adam", 1e-4, True)}[a.exp]
    run = a.exp
batch, opt_name, lr, augment = recipe
model = (backbone(a.model, classes, x.shape[1]) if a.model else model_for(a.exp)).to(dev)
opt = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[opt_name](model.parameters(), lr=lr)
if a.model:
    resized = f", resized from {native} px once before timing ({resize_s:.2f} s)" if side != native else ""
    print(f"{a.model}: {sum(t.numel() for t in model.parameters()):,} parameters, input {x.shape[1]}x{side}x{side}"
          f"{f', patch {patch}' if a.model == 'vit_tiny' else ''}, {classes} classes, {len(y)} images, batch {batch}, "
          f"AdamW lr {lr:g} weight decay {opt.defaults['weight_decay']:g}{resized}", flush=True)
counts = torch.bincount(y, minlength=classes).float()
weight = (len(y) / (classes * counts)).to(dev) if not a.model and a.exp in ("21", "25") else None
crit = nn.CrossEntropyLoss(weight=weight, label_smoothing=0.1 if not a.model and a.exp == "25" else 0.0)

tf = None
if augment:
    import torchvision.transforms as T
    steps = [T.RandomHorizontalFlip(), T.RandomVerticalFlip(), T.RandomRotation(20)]
    if a.exp == "25":
        steps.append(T.RandomAffine(0, translate=(0.1, 0.1), scale=(0.9, 1.1)))
    steps.append(T.ColorJitter(0.2, 0.2, 0.2, 0.05))
    tf = T.Compose(steps)


def epoch(on_step=None):
    model.train()
    perm = torch.randperm(len(y))
    for i in range(0, len(y), batch):
        idx = perm[i:i + batch]
        xb = x[idx]
        if tf is not None:
            xb = torch.stack([tf(img) for img in xb])  # uint8 tensor transforms, as the PIL path would on the loader
        xb = (xb.float() / 255).to(dev)
        yb = y[idx].to(dev)
        loss = crit(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if on_step is not None:
            on_step()
    if dev.type == "cuda":
        torch.cuda.synchronize()


times = []
for e in range(a.epochs + 1):
    t = time.perf_counter()
    cpu = time.thread_time()  # the training thread's CPU time: what the load of a shared host disturbs least
    epoch()
    s = time.perf_counter() - t
    print(f"  epoch {e}{' (warm-up)' if e == 0 else ''}: {s:.2f} s (training thread CPU {time.thread_time() - cpu:.2f} s)", flush=True)
    if e > 0:
        times.append(s)
med = statistics.median(times)
tf32 = f" tf32={a.tf32}" if dev.type == "cuda" else ""
what = f"model={run} size={side}" if a.model else f"exp={run}"
print(f"RESULT {what} framework=pytorch-{torch.__version__} device={a.device}{tf32} threads={a.threads} "
      f"median_epoch_s={med:.3f} images_per_s={len(y) / med:.0f}")

if a.profile:
    from torch.profiler import profile, ProfilerActivity
    steps = [0]
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        epoch(on_step=lambda: steps.__setitem__(0, steps[0] + 1))
    print(f"  profiled epoch: {steps[0]} steps; self CPU time per step of the heaviest ops:")
    rows = sorted(prof.key_averages(), key=lambda r: r.self_cpu_time_total, reverse=True)[:a.profile_rows]
    for r in rows:
        print(f"  {r.key[:40]:<40} {r.self_cpu_time_total / 1e3 / steps[0]:9.3f} ms  {r.count / steps[0]:5.1f} calls")
