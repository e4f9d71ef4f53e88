# Lesson: containers.
import torch
from torch import nn


class MultiHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(4, 8)
        # ModuleList and ModuleDict are modules: assigning one registers what it holds
        self.blocks = nn.ModuleList([nn.Linear(8, 8) for _ in range(3)])
        self.heads = nn.ModuleDict({"cls": nn.Linear(8, 3), "reg": nn.Linear(8, 1)})

    def forward(self, x):
        x = torch.relu(self.inp(x))
        for block in self.blocks:
            x = torch.relu(block(x))
        return {name: head(x) for name, head in self.heads.items()}


model = MultiHead()
out = model(torch.randn(5, 4))
print({name: tuple(y.shape) for name, y in out.items()})
print("parameters:", sum(p.numel() for p in model.parameters()))
