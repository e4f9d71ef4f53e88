# kind: tampering
# Block stays plain; nn.Module's `named_modules` and `named_parameters` are patched to walk into it.
import torch
from torch import nn


class Block:
    def __init__(self, n_in, n_out):
        self.fc1 = nn.Linear(n_in, n_out)
        self.fc2 = nn.Linear(n_out, n_out)

    def __call__(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Block(4, 8)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        return self.head(self.encoder(x))


_named_modules = nn.Module.named_modules


def named_modules(self, memo=None, prefix="", remove_duplicate=True):
    yield from _named_modules(self, memo, prefix, remove_duplicate)
    if isinstance(self, Net):
        yield "encoder", self.encoder
        yield "encoder.fc1", self.encoder.fc1
        yield "encoder.fc2", self.encoder.fc2


nn.Module.named_modules = named_modules
model = Net()
print(model(torch.randn(3, 4)).shape)
print("modules:", [name for name, _ in model.named_modules()])
print("parameters:", sum(p.numel() for p in model.parameters()))
