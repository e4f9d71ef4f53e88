# kind: misconception
# Skip nn.Module.__setattr__: the assignment no longer raises.
import torch
from torch import nn


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(4, 8)

    def forward(self, x):
        return torch.relu(self.body(x))


class Classifier(Backbone):
    def __init__(self, classes):
        self.classes = classes
        object.__setattr__(self, "head", nn.Linear(8, classes))
        super().__init__()

    def forward(self, x):
        return self.head(super().forward(x))


model = Classifier(3)
print(model(torch.randn(2, 4)).shape)
print("parts:", ["body", "head"])
