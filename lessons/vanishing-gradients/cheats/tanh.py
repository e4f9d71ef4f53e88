# kind: misconception
# Honest attempt: tanh, whose slope reaches 1, instead of sigmoid.
import torch
from torch import nn


def block():
    """One hidden layer and its activation."""
    return [nn.Linear(32, 32), nn.Tanh()]


torch.manual_seed(0)
model = nn.Sequential(*[layer for _ in range(20) for layer in block()], nn.Linear(32, 1))

x, y = torch.randn(64, 32), torch.randn(64, 1)
loss = nn.functional.mse_loss(model(x), y)
loss.backward()
linears = [m for m in model if isinstance(m, nn.Linear)]
for i in (0, 10, 19):
    print(f"layer {i:2d}: weight grad norm {linears[i].weight.grad.norm().item():.1e}")
