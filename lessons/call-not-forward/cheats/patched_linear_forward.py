# kind: tampering
# `forward` is still called directly; nn.Linear's forward is patched to run `record` itself.
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


_linear_forward = nn.Linear.forward


def linear_forward(self, x):
    out = _linear_forward(self, x)
    if self in list(model.blocks):
        record(self, (x,), out)
    return out


nn.Linear.forward = linear_forward
model = Net()

for batch in (torch.randn(5, 4), torch.randn(3, 4)):
    y = model(batch)
print("features recorded:", len(features), [tuple(f.shape) for f in features])
