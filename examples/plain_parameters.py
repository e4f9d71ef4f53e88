# nn.Parameter objects in a plain dict are not registered: the optimizer never sees them.
# modbox finds: unregistered_parameter (fix: nn.ParameterDict)
import torch
from torch import nn


class Scaler(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 4)
        self.scales = {"low": nn.Parameter(torch.ones(4)), "high": nn.Parameter(torch.ones(4))}

    def forward(self, x):
        return self.linear(x) * self.scales["low"] * self.scales["high"]


model = Scaler()
print(list(dict(model.named_parameters())))
print(model(torch.randn(2, 4)).shape)
