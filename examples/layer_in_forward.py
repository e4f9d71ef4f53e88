# A layer created inside forward() gets new random weights on every call: it never learns.
# modbox finds: module_created_in_forward (fix: create it once in __init__)
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(4, 8)

    def forward(self, x):
        x = torch.relu(self.body(x))
        self.head = nn.Linear(8, 1)
        return self.head(x)


model = Net()
x = torch.randn(2, 4)
print(model(x).flatten().tolist())
print(model(x).flatten().tolist(), "<- different: the head was rebuilt")
