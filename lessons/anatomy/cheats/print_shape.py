# kind: printout
# Cheat: print the expected shape instead of running the model; the layers still do not fit.
import torch
from torch import nn


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)
        self.out = nn.Linear(4, 2)

    def forward(self, x):
        x = torch.relu(self.hidden(x))
        return self.out(x)


model = TinyNet()
batch = torch.randn(5, 4)
print(torch.Size([5, 2]))
