# kind: misconception
# Honest attempt: call super().__init__() first to be safe, and again at the end as before.
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
        super().__init__()
        self.classes = classes
        self.head = nn.Linear(8, classes)
        super().__init__()

    def forward(self, x):
        return self.head(super().forward(x))


model = Classifier(3)
print("parts:", [name for name, _ in model.named_children()])
print(model(torch.randn(2, 4)).shape)
