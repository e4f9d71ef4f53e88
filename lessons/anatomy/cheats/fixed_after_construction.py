# kind: partial
# The class still builds `out` with 4 inputs; only the one model gets a fitting layer.
import torch
from torch import nn


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)  # 4 numbers in, 8 out
        self.out = nn.Linear(4, 2)

    def forward(self, x):
        x = torch.relu(self.hidden(x))
        return self.out(x)


model = TinyNet()
model.out = nn.Linear(8, 2)  # this model's output layer fits
batch = torch.randn(5, 4)  # 5 examples, 4 features each
print(model(batch).shape)
