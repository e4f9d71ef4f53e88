# kind: partial
# The head's weight is initialised like nn.Linear's; its bias keeps whatever to_empty() left.
import math

import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.body = nn.Linear(4, 8)  # imagine 20 GB
        self.head = nn.Linear(8, classes)

    def forward(self, x):
        return self.head(torch.relu(self.body(x)))


checkpoint = {"body.weight": torch.linspace(-1, 1, 32).reshape(8, 4), "body.bias": torch.linspace(-0.5, 0.5, 8)}  # from disk

with torch.device("meta"):
    model = Net(classes=3)  # no memory yet

result = model.load_state_dict(checkpoint, strict=False, assign=True)
model.head.to_empty(device="cpu")
nn.init.kaiming_uniform_(model.head.weight, a=math.sqrt(5))
print("missing:", result.missing_keys)
print(model(torch.randn(2, 4)).shape)
