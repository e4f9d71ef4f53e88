# kind: introspection
# Net's own `named_parameters` lists the plain `scale` tensor with the real parameters.
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

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        yield from super().named_parameters(prefix, recurse, remove_duplicate)
        yield prefix + "scale", self.scale


model = Net()
print(model(torch.randn(3, 4)).shape)
print("parameters:", [name for name, _ in model.named_parameters()])
