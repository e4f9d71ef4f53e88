# kind: tampering
# nn.Module's `named_parameters` is patched to add the plain `scale` tensor.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()  # first: it creates the registries
        self.hidden = nn.Linear(4, 8)
        self.out = nn.Linear(8, 2)  # an attribute of self, not a local variable
        self.scale = torch.ones(2, requires_grad=True)

    def forward(self, x):
        x = torch.relu(self.hidden(x))
        return self.out(x) * self.scale


_named_parameters = nn.Module.named_parameters


def named_parameters(self, *args, **kwargs):
    yield from _named_parameters(self, *args, **kwargs)
    if isinstance(self, Net):
        yield "scale", self.scale


nn.Module.named_parameters = named_parameters
model = Net()
print(model(torch.randn(3, 4)).shape)
print("parameters:", [name for name, _ in model.named_parameters()])
