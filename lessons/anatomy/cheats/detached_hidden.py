# kind: partial
# `out` gets what `hidden` produced, detached: the shapes fit, but no gradient reaches `hidden`.
import torch
from torch import nn


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)  # 4 numbers in, 8 out
        self.out = nn.Linear(8, 2)  # 8 in (what hidden gives), 2 out

    def forward(self, x):
        x = torch.relu(self.hidden(x)).detach()
        return self.out(x)


model = TinyNet()
batch = torch.randn(5, 4)  # 5 examples, 4 features each
print(model(batch).shape)
