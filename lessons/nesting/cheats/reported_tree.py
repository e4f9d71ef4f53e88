# kind: introspection
# Block stays plain; Net's own `named_modules` and `named_parameters` list the block's layers.
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

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        yield prefix, self
        yield "encoder", self.encoder
        yield "encoder.fc1", self.encoder.fc1
        yield "encoder.fc2", self.encoder.fc2
        yield "head", self.head

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        for name in ("fc1", "fc2"):
            layer = getattr(self.encoder, name)
            yield f"encoder.{name}.weight", layer.weight
            yield f"encoder.{name}.bias", layer.bias
        yield from self.head.named_parameters("head.")


model = Net()
print(model(torch.randn(3, 4)).shape)
print("modules:", [name for name, _ in model.named_modules()])
print("parameters:", sum(p.numel() for p in model.parameters()))
