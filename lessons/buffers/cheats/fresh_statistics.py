# kind: partial
# Cheat: register buffers, but of new tensors: the measured statistics never reach the model.
import torch
from torch import nn


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.zeros(3))
        self.register_buffer("std", torch.ones(3))
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
