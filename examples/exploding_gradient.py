# Weights initialised far too large: every layer multiplies the signal about 3.4x, and the
# gradients end up 10^13 times the weights they should nudge.
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(*[nn.Linear(32, 32) for _ in range(12)], nn.Linear(32, 1))
for layer in model:
    nn.init.normal_(layer.weight, std=0.6)
x, y = torch.randn(16, 32), torch.randn(16, 1)
loss = nn.functional.mse_loss(model(x), y)
loss.backward()
