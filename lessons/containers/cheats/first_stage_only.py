# kind: partial
# Only the first stage is registered; the later ones are kept in a plain list.
import torch
from torch import nn


class Tower(nn.Module):
    def __init__(self, n_stages, blocks_per_stage, outputs):
        super().__init__()
        self.inp = nn.Linear(4, 8)
        # a ModuleList of ModuleLists: every level is a module, so every layer is registered
        first = nn.ModuleList([nn.Linear(8, 8) for _ in range(blocks_per_stage)])
        self.first = first
        self.rest = [[nn.Linear(8, 8) for _ in range(blocks_per_stage)] for _ in range(n_stages - 1)]
        self.stages = [first] + self.rest
        self.heads = nn.ModuleDict()
        for name, size in outputs.items():
            self.heads[name] = nn.Linear(8, size)

    def forward(self, x):
        x = torch.relu(self.inp(x))
        for stage in self.stages:
            for block in stage:
                x = torch.relu(block(x))
        return {name: head(x) for name, head in self.heads.items()}


model = Tower(2, 2, {"cls": 3, "reg": 1})
out = model(torch.randn(5, 4))
print({name: tuple(y.shape) for name, y in out.items()})
print("parameters:", sum(p.numel() for p in model.parameters()))
