# kind: partial
# Honest attempt: keep the order, and build the head on the first call, when the records exist.
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
        super().__init__()

    def forward(self, x):
        if "head" not in self._modules:
            self.head = nn.Linear(8, self.classes)
        return self.head(super().forward(x))


model = Classifier(3)
print(model(torch.randn(2, 4)).shape)
print("parts:", [name for name, _ in model.named_children()])
