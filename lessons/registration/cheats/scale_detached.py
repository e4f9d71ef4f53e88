# kind: partial
# `scale` is registered, but `forward` uses a detached copy of it, so it never learns.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()  # first: it creates the registries
        self.hidden = nn.Linear(4, 8)
        self.out = nn.Linear(8, 2)  # an attribute of self, not a local variable
        self.scale = nn.Parameter(torch.ones(2))  # a Parameter, so it is registered

    def forward(self, x):
        x = torch.relu(self.hidden(x))
        return self.out(x) * self.scale.detach()


model = Net()
print(model(torch.randn(3, 4)).shape)
print("parameters:", [name for name, _ in model.named_parameters()])
