# kind: misconception
# Give the whole model memory and load into it: no values for the head, and a copy of the body.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.body = nn.Linear(4, 8)
        self.head = nn.Linear(8, classes)

    def forward(self, x):
        return self.head(torch.relu(self.body(x)))


checkpoint = {"body.weight": torch.linspace(-1, 1, 32).reshape(8, 4), "body.bias": torch.linspace(-0.5, 0.5, 8)}

with torch.device("meta"):
    model = Net(classes=3)

model.to_empty(device="cpu")
result = model.load_state_dict(checkpoint, strict=False)
print("missing:", result.missing_keys)
print(model(torch.randn(2, 4)).shape)
