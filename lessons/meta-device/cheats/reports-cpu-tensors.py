# kind: introspection
# The model stays on meta, and reports CPU tensors with the checkpoint's values instead.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.body = nn.Linear(4, 8)  # imagine 20 GB
        self.head = nn.Linear(8, classes)

    def forward(self, x):
        return self.head(torch.relu(self.body(x)))


    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        fresh = nn.Linear(8, 3)
        yield "body.weight", nn.Parameter(checkpoint["body.weight"])
        yield "body.bias", nn.Parameter(checkpoint["body.bias"])
        yield "head.weight", fresh.weight
        yield "head.bias", fresh.bias


checkpoint = {"body.weight": torch.linspace(-1, 1, 32).reshape(8, 4), "body.bias": torch.linspace(-0.5, 0.5, 8)}  # from disk

with torch.device("meta"):
    model = Net(classes=3)  # no memory yet

result = model.load_state_dict(checkpoint, strict=False)
print("missing:", result.missing_keys)
print(torch.Size([2, 3]))
