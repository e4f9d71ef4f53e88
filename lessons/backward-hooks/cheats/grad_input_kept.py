# kind: misconception
# Honest mistake: `grad_input` is believed to be the gradient arriving at the layer, since it
# is what comes in to the hook.
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
arriving = {}  # layer name -> d(loss) / d(layer output), one row per example


def keep(name):
    def hook(module, grad_input, grad_output):  # runs inside loss.backward()
        arriving[name] = grad_input[0].detach()  # the gradient coming in
    return hook


for name in ("0", "2"):
    model[int(name)].register_full_backward_hook(keep(name))

x = torch.randn(3, 4)
loss = model(x).pow(2).mean()
loss.backward()
for name, grad in arriving.items():
    print(f"layer {name}: shape {tuple(grad.shape)}, norm {grad.norm():.4f}")
