import torch
from torch import nn


class MLP(nn.Module):
    def __init__(self, n_in=4, hidden=16, n_out=3):
        super().__init__()
        self.fc1 = nn.Linear(n_in, hidden)  # 4*16 weights + 16 biases = 80
        self.act = nn.ReLU()  # no parameters
        self.fc2 = nn.Linear(hidden, n_out)  # 16*3 + 3 = 51

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


model = MLP()
out = model(torch.randn(2, 4))
print(out.shape)  # torch.Size([2, 3])
