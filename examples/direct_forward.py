# Calling model.forward(x) skips the model's hooks; model(x) runs them.
# modbox finds: direct_forward (fix: call model(x))
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 1)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


model = Net()
model.register_forward_hook(lambda module, inputs, output: print("hook ran"))
x = torch.randn(2, 4)
y = model(x)
y = model.forward(x)
