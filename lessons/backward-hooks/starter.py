# Lesson: backward-hooks. Keep the gradient that reaches
# the output of layers 0 and 2 while loss.backward() runs.
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
arriving = {}  # layer name -> d(loss) / d(layer output), one row per example


def keep(name):
    def hook(module, args, output):  # TODO: is this a gradient?
        arriving[name] = output.detach()
    return hook


for name in ("0", "2"):
    model[int(name)].register_forward_hook(keep(name))

x = torch.randn(3, 4)
loss = model(x).pow(2).mean()
loss.backward()
for name, grad in arriving.items():
    print(f"layer {name}: shape {tuple(grad.shape)}, norm {grad.norm():.4f}")
