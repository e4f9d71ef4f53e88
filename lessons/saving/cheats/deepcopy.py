# Cheat: copy.deepcopy stands in for saving and loading; no file is written or read.
import copy

import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)
        self.out = nn.Linear(8, 2)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))


model = Net()
restored = copy.deepcopy(model)  # no file is written or read

same = all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                             restored.state_dict().values()))
print("restored matches:", same)
