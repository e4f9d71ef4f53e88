# Layers kept in a plain Python list are invisible to PyTorch.
# modbox finds: unregistered_module (fix: nn.ModuleList)
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = [nn.Linear(8, 8) for _ in range(3)]
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        for layer in self.layers:
            x = torch.relu(layer(x))
        return self.head(x)


model = Net()
print("parameters PyTorch sees:", sum(p.numel() for p in model.parameters()))
print(model(torch.randn(4, 8)).shape)
