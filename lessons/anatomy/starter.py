# Lesson: what a network is made of.
# Run it and read the error: the two layers do not fit together yet.
import torch
from torch import nn


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)  # 4 numbers in, 8 out
        # TODO: the output layer must accept what `hidden` produces.
        self.out = nn.Linear(4, 2)

    def forward(self, x):
        x = torch.relu(self.hidden(x))
        return self.out(x)


model = TinyNet()
batch = torch.randn(5, 4)  # 5 examples, 4 features each
print(model(batch).shape)
