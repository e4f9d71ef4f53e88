# kind: misconception
# Honest mistake: Block is a Module, and Net calls `encoder.forward(x)`, believing `forward`
# is the method to call.
import torch
from torch import nn


class Block(nn.Module):  # a Module, so a Net that holds one registers it and its layers
    def __init__(self, n_in, n_out):
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_out)
        self.fc2 = nn.Linear(n_out, n_out)

    def forward(self, x):  # nn.Module's __call__ runs this
        return self.fc2(torch.relu(self.fc1(x)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Block(4, 8)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        return self.head(self.encoder.forward(x))  # run the block's forward


model = Net()
print(model(torch.randn(3, 4)).shape)
print("modules:", [name for name, _ in model.named_modules()])
print("parameters:", sum(p.numel() for p in model.parameters()))
