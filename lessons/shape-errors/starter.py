# Lesson: shape-errors. A small CNN for 28x28 grey images, 10 classes.
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
        x = x.flatten(1)  # (batch, everything else)
        return self.fc(x)


torch.manual_seed(0)
model = CNN()
images = torch.randn(4, 1, 28, 28)
print("logits:", tuple(model(images).shape))
