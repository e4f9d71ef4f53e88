# kind: printout
# Cheat: do-nothing backward hooks, and the report typed in.
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
arriving = {}


def keep(name):
    def hook(module, grad_input, grad_output):
        pass
    return hook


for name in ("0", "2"):
    model[int(name)].register_full_backward_hook(keep(name))

x = torch.randn(3, 4)
loss = model(x).pow(2).mean()
loss.backward()
print("layer 2: shape (3, 2), norm 0.1539")
print("layer 0: shape (3, 8), norm 0.0591")
