# kind: printout
# The starter's rename, and the result printed as if clean.
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
# TODO: load all of the checkpoint, and make sure nothing is left out
state = {key.replace("module.", ""): value for key, value in checkpoint.items()}
result = model.load_state_dict(state, strict=False)
print("<All keys matched successfully>")
