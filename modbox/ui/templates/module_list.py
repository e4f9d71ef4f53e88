import torch
from torch import nn


class Stack(nn.Module):
    def __init__(self, depth=3, dim=8):
        super().__init__()
        # A plain list hides these layers from nn.Module: no parameters, not saved, not moved by .to().
        self.plain = [nn.Linear(dim, dim) for _ in range(depth)]
        # nn.ModuleList registers each one.
        self.registered = nn.ModuleList(nn.Linear(dim, dim) for _ in range(depth))

    def forward(self, x):
        for layer in self.registered:
            x = layer(x)
        return x


model = Stack()
print(sum(p.numel() for p in model.parameters()))  # 216: only the ModuleList's layers count
