# kind: misconception
# Cheat: `forward` calls `record` itself; the blocks' own calls still skip their hooks.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        for block in self.blocks:
            out = block.forward(x)
            record(block, (x,), out)  # the hook, called by hand
            x = torch.relu(out)
        return self.head(x)


features = []


def record(module, args, output):
    features.append(output.detach())


model = Net()
for block in model.blocks:
    block.register_forward_hook(record)

for batch in (torch.randn(5, 4), torch.randn(3, 4)):
    y = model(batch)
print("features recorded:", len(features), [tuple(f.shape) for f in features])
