# kind: partial
# assign=True for the body, and the head left on meta; the output is printed by hand.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.body = nn.Linear(4, 8)
        self.head = nn.Linear(8, classes)


checkpoint = {"body.weight": torch.linspace(-1, 1, 32).reshape(8, 4), "body.bias": torch.linspace(-0.5, 0.5, 8)}

with torch.device("meta"):
    model = Net(classes=3)

result = model.load_state_dict(checkpoint, strict=False, assign=True)
print("missing:", result.missing_keys)
print(torch.Size([2, 3]))
