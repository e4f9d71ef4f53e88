# kind: misconception
# Honest mistake: `register_buffer` is believed to register a tensor for training.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()  # first: it creates the registries
        self.hidden = nn.Linear(4, 8)
        self.out = nn.Linear(8, 2)  # an attribute of self, not a local variable
        self.register_buffer("scale", torch.ones(2))  # registered, so it is learned

    def forward(self, x):
        x = torch.relu(self.hidden(x))
        return self.out(x) * self.scale


model = Net()
print(model(torch.randn(3, 4)).shape)
print("parameters:", [name for name, _ in model.named_parameters()])
