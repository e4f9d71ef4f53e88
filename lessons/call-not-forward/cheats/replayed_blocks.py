# kind: decoy
# `forward` skips the hooks; after each batch the blocks are called again, only to fire them.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        for block in self.blocks:
            x = torch.relu(block.forward(x))
        return self.head(x)


features = []


def record(module, args, output):
    features.append(output.detach())


model = Net()
for block in model.blocks:
    block.register_forward_hook(record)

for batch in (torch.randn(5, 4), torch.randn(3, 4)):
    y = model(batch)
    with torch.no_grad():  # replay the blocks so record sees them
        h = batch
        for block in model.blocks:
            h = torch.relu(block(h))
print("features recorded:", len(features), [tuple(f.shape) for f in features])
