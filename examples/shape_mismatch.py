# A CNN whose classifier expects 8x14x14 features, but a 3x3 convolution without padding
# shrinks 28x28 images to 26x26, and pooling gives 13x13: the forward fails at `fc`.
import torch
from torch import nn


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, kernel_size=3)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(8 * 14 * 14, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv(x)))
        x = torch.flatten(x, 1)
        return self.fc(x)


model = CNN()
logits = model(torch.randn(4, 1, 28, 28))
