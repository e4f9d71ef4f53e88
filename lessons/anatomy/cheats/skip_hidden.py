# kind: partial
# Cheat: make the shapes work by feeding `out` something other than what `hidden` produced.
import torch
from torch import nn


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)
        self.out = nn.Linear(8, 2)

    def forward(self, x):
        self.hidden(x)
        return self.out(torch.zeros(x.shape[0], 8))


model = TinyNet()
batch = torch.randn(5, 4)
print(model(batch).shape)
