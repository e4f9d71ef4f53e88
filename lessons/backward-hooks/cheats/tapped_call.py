# kind: introspection
# A Linear whose own `__call__` taps its output's gradient; the backward hooks only mark
# the order.
import torch
from torch import nn

torch.manual_seed(0)
taps = {}


class Tapped(nn.Linear):
    def __call__(self, x):
        out = super().__call__(x)
        out.register_hook(lambda grad: taps.__setitem__(self, grad.detach()))
        return out


model = nn.Sequential(Tapped(4, 8), nn.ReLU(), Tapped(8, 2))
arriving = {}  # layer name -> d(loss) / d(layer output), one row per example


def keep(name):
    def hook(module, grad_input, grad_output):
        arriving[name] = taps.get(module)
    return hook


for name in ("0", "2"):
    model[int(name)].register_full_backward_hook(keep(name))

x = torch.randn(3, 4)
loss = model(x).pow(2).mean()
loss.backward()
for name, grad in arriving.items():
    print(f"layer {name}: shape {tuple(grad.shape)}, norm {grad.norm():.4f}")
