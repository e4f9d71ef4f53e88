# kind: tampering
# The head is kept outside the records, and nn.Module's walks are patched to add it.
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
        object.__setattr__(self, "head", nn.Linear(8, classes))
        super().__init__()

    def forward(self, x):
        return self.head(super().forward(x))


model = Classifier(3)
real_children = nn.Module.named_children


def named_children(self):
    yield from real_children(self)
    if isinstance(self, Classifier):
        yield "head", self.head


nn.Module.named_children = named_children
model._modules["head"] = model.head  # recorded only after the fact, by hand
print(model(torch.randn(2, 4)).shape)
