# kind: misconception
# Cheat: make the statistics Parameters that do not learn: they follow .double() and are
# saved, but they are parameters now, not buffers.
import torch
from torch import nn


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.mean = nn.Parameter(mean, requires_grad=False)
        self.std = nn.Parameter(std, requires_grad=False)
        self.register_buffer("emphasis", torch.linspace(0.5, 1.5, 3), persistent=False)
        self.lin = nn.Linear(3, 2)

    def forward(self, x):
        x = (x - self.mean) / self.std * self.emphasis
        return self.lin(x)


mean, std = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.5, 1.0, 2.0])
model = Standardize(mean, std).double()
print(model(torch.randn(4, 3, dtype=torch.float64)).dtype)
print("mean:", model.mean.dtype, " emphasis:", model.emphasis.dtype)
print("state_dict:", list(model.state_dict()))
