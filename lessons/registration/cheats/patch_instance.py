# kind: partial
# Cheat: fix the error, then register the missing parts on the instance from outside.
# Net itself still loses `out` and keeps `scale` as a plain tensor.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)
        out = nn.Linear(8, 2)
        self.scale = torch.ones(2, requires_grad=True)

    def forward(self, x):
        x = torch.relu(self.hidden(x))
        return self.out(x) * self.scale


model = Net()
model.out = nn.Linear(8, 2)
model.scale = nn.Parameter(torch.ones(2))
print(model(torch.randn(3, 4)).shape)
print("parameters:", [name for name, _ in model.named_parameters()])
