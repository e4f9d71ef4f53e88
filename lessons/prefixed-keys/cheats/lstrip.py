# kind: misconception
# Honest attempt: strip the wrapper's prefix from the front of each key with lstrip.
import torch
from torch import nn


class Residual(nn.Module):
    def __init__(self, module):
        super().__init__()
        self.module = module

    def forward(self, x):
        return x + self.module(x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Linear(4, 8)
        self.block = Residual(nn.Linear(8, 8))
        self.out = nn.Linear(8, 2)

    def forward(self, x):
        return self.out(self.block(torch.relu(self.stem(x))))


torch.manual_seed(0)
checkpoint = nn.DataParallel(Net()).state_dict()  # saved during training

model = Net()
state = {key.lstrip("module."): value for key, value in checkpoint.items()}
result = model.load_state_dict(state, strict=False)
print(result)
