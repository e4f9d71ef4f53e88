# kind: decoy
# A registered `out` for the checks to find; `forward` runs the local layer kept out of sight.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()  # first: it creates the registries
        self.hidden = nn.Linear(4, 8)
        out = nn.Linear(8, 2)
        self.out = nn.Linear(8, 2)  # registered, never run
        object.__setattr__(self, "_out", out)  # the layer forward really uses
        self.scale = nn.Parameter(torch.ones(2))  # a Parameter, so it is registered

    def forward(self, x):
        x = torch.relu(self.hidden(x))
        return self._out(x) * self.scale


model = Net()
print(model(torch.randn(3, 4)).shape)
print("parameters:", [name for name, _ in model.named_parameters()])
