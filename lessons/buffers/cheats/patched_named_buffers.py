# kind: tampering
# The tensors stay plain attributes; nn.Module's `named_buffers` is patched to list them.
import torch
from torch import nn


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        # saved, and converted or moved with the model
        self.mean = mean
        self.std = std
        self.emphasis = torch.linspace(0.5, 1.5, 3)
        self.lin = nn.Linear(3, 2)

    def forward(self, x):
        x = (x - self.mean.to(x.dtype)) / self.std.to(x.dtype) * self.emphasis.to(x.dtype)
        return self.lin(x)


_named_buffers = nn.Module.named_buffers


def named_buffers(self, *args, **kwargs):
    yield from _named_buffers(self, *args, **kwargs)
    if isinstance(self, Standardize):
        yield from ((name, getattr(self, name)) for name in ("mean", "std", "emphasis"))


nn.Module.named_buffers = named_buffers
mean, std = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.5, 1.0, 2.0])
model = Standardize(mean, std).double()
print(model(torch.randn(4, 3, dtype=torch.float64)).dtype)
print("mean:", model.mean.dtype, " emphasis:", model.emphasis.dtype)
print("state_dict:", list(model.state_dict()))
