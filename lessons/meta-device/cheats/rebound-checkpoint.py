# kind: tampering
# Two copies of the body, then `checkpoint` rebound to the model's own tensors.
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

model = Net(classes=3)
result = model.load_state_dict(checkpoint, strict=False)
print("missing:", result.missing_keys)
print(model(torch.randn(2, 4)).shape)
checkpoint = dict(model.state_dict())
