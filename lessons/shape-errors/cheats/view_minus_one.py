# kind: misconception
# Honest attempt (the myth): force the shape fc wants with view(-1, 1568).
import torch
from torch import nn


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, kernel_size=3)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(8 * 14 * 14, 10)  # TODO: what does fc really receive?

    def forward(self, x):
        x = self.pool(torch.relu(self.conv(x)))
        x = x.view(-1, 1568)
        return self.fc(x)


torch.manual_seed(0)
model = CNN()
images = torch.randn(4, 1, 28, 28)
print("logits:", tuple(model(images).shape))
