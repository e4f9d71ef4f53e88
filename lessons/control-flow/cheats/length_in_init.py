# kind: misconception
# Honest attempt (the length is fixed when the model is built): Reader(length=7) for the longer sequence.
import torch
from torch import nn


class Reader(nn.Module):
    def __init__(self, hidden=8, length=7):
        super().__init__()
        self.length = length
        self.hidden = hidden
        self.cell = nn.RNNCell(4, hidden)
        self.head = nn.Linear(hidden, 2)

    def forward(self, x):
        h = x.new_zeros(x.shape[1], self.hidden)
        for t in range(min(self.length, x.shape[0])):
            h = self.cell(x[t], h)
        return self.head(h)


torch.manual_seed(0)
model = Reader()
for length in (5, 7):
    out = model(torch.randn(length, 2, 4))
    print(f"length {length}: output {tuple(out.shape)}")
