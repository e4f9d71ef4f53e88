# Lesson: registration. This model has three registration bugs.
# Run it, read the error, fix one thing, run again: the checks tick one by one.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        self.hidden = nn.Linear(4, 8)
        super().__init__()
        out = nn.Linear(8, 2)
        self.scale = torch.ones(2, requires_grad=True)  # meant to be learned

    def forward(self, x):
        x = torch.relu(self.hidden(x))
        return self.out(x) * self.scale


model = Net()
print(model(torch.randn(3, 4)).shape)
print("parameters:", [name for name, _ in model.named_parameters()])
