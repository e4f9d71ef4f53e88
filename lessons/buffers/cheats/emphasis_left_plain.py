# kind: partial
# The statistics are buffers; `emphasis` stays a plain tensor, cast in `forward`.
import torch
from torch import nn


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        # saved, and converted or moved with the model
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.emphasis = torch.linspace(0.5, 1.5, 3)
        self.lin = nn.Linear(3, 2)

    def forward(self, x):
        x = (x - self.mean) / self.std * self.emphasis.to(x.dtype)
        return self.lin(x)


mean, std = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.5, 1.0, 2.0])
model = Standardize(mean, std).double()
print(model(torch.randn(4, 3, dtype=torch.float64)).dtype)
print("mean:", model.mean.dtype, " emphasis:", model.emphasis.dtype)
print("state_dict:", list(model.state_dict()))
