# A layer added after the optimizer was built is never updated by it.
# modbox finds: optimizer_missing_params (fix: build the optimizer last)
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model.append(nn.Linear(8, 1))

x, y = torch.randn(16, 4), torch.randn(16, 1)
for step in range(3):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    print(step, round(loss.item(), 4))
