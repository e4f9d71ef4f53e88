# kind: decoy
# The hooks fire in the backward of the loss; a second backward of a sum overwrites what they
# kept.
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
arriving = {}  # layer name -> d(loss) / d(layer output), one row per example


def keep(name):
    def hook(module, grad_input, grad_output):  # runs inside loss.backward()
        arriving[name] = grad_output[0].detach()
    return hook


for name in ("0", "2"):
    model[int(name)].register_full_backward_hook(keep(name))

x = torch.randn(3, 4)
loss = model(x).pow(2).mean()
loss.backward(retain_graph=True)
model(x).sum().backward()  # once more, to be sure
for name, grad in arriving.items():
    print(f"layer {name}: shape {tuple(grad.shape)}, norm {grad.norm():.4f}")
