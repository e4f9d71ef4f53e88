# kind: misconception
# Honest mistake: `out` is left at 4 inputs and given the first 4 of hidden's 8 features,
# believing the layers only need the shapes to line up.
import torch
from torch import nn


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)  # 4 numbers in, 8 out
        self.out = nn.Linear(4, 2)  # 4 in: we pass it 4 features

    def forward(self, x):
        x = torch.relu(self.hidden(x))
        return self.out(x[:, :4])  # the first 4 features fit


model = TinyNet()
batch = torch.randn(5, 4)  # 5 examples, 4 features each
print(model(batch).shape)
