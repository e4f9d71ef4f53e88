# kind: partial
# Cheat: `record` is attached three times to the model, which is called properly.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        for block in self.blocks:
            x = torch.relu(block.forward(x))  # TODO: does record see this?
        return self.head(x)


features = []


def record(module, args, output):
    features.append(output.detach())


model = Net()
for _ in range(3):
    model.register_forward_hook(record)  # three hooks on the model fire for each batch

for batch in (torch.randn(5, 4), torch.randn(3, 4)):
    y = model(batch)
print("features recorded:", len(features), [tuple(f.shape) for f in features])
