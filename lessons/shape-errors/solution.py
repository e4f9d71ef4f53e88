# Lesson: shape-errors.
import torch
from torch import nn


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, kernel_size=3)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(8 * 13 * 13, 10)  # 28 -> 26 (3x3 conv, no padding) -> 13 (pool)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv(x)))
        x = x.flatten(1)  # (batch, everything else)
        return self.fc(x)


torch.manual_seed(0)
model = CNN()
images = torch.randn(4, 1, 28, 28)
print("logits:", tuple(model(images).shape))
