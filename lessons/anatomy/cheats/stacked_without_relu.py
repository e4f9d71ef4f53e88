# kind: misconception
# Honest mistake: two Linear layers in a row are believed to be a network on their own;
# the ReLU between them is left out.
import torch
from torch import nn


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)  # 4 numbers in, 8 out
        self.out = nn.Linear(8, 2)  # 8 in (what hidden gives), 2 out

    def forward(self, x):
        return self.out(self.hidden(x))  # layer after layer


model = TinyNet()
batch = torch.randn(5, 4)  # 5 examples, 4 features each
print(model(batch).shape)
