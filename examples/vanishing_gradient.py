# 24 sigmoid layers: each one shrinks the gradient at least 4x on its way back, so the first
# layers get (almost) nothing.
import torch
from torch import nn

torch.manual_seed(0)
layers = []
for _ in range(24):
    layers += [nn.Linear(32, 32), nn.Sigmoid()]
model = nn.Sequential(*layers, nn.Linear(32, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x, y = torch.randn(32, 32), torch.randn(32, 1)
for step in range(3):
    loss = nn.functional.mse_loss(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
