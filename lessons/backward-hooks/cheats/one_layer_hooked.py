# kind: partial
# Only layer 2 is hooked; layer 0's entry is worked out by hand from layer 2's, without the ReLU.
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
arriving = {}  # layer name -> d(loss) / d(layer output), one row per example


def keep(name):
    def hook(module, grad_input, grad_output):  # runs inside loss.backward()
        arriving[name] = grad_output[0].detach()
    return hook


model[2].register_full_backward_hook(keep("2"))

x = torch.randn(3, 4)
loss = model(x).pow(2).mean()
loss.backward()
arriving["0"] = arriving["2"] @ model[2].weight.detach()  # back through layer 2
for name, grad in arriving.items():
    print(f"layer {name}: shape {tuple(grad.shape)}, norm {grad.norm():.4f}")
