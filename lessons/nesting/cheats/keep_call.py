# kind: partial
# Cheat: make Block a module but keep its own __call__, so nn.Module never runs a forward of it.
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_out)
        self.fc2 = nn.Linear(n_out, n_out)

    def __call__(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Block(4, 8)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        return self.head(self.encoder(x))


model = Net()
print(model(torch.randn(3, 4)).shape)
print("modules:", [name for name, _ in model.named_modules()])
print("parameters:", sum(p.numel() for p in model.parameters()))
