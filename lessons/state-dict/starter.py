# Lesson: state_dict. Decide what a checkpoint of `Centered` holds.
import torch
from torch import nn


class Centered(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.mean = torch.zeros(4)  # TODO: part of the model: must be saved
        self.register_buffer("last_x", torch.zeros(4))  # TODO: recomputed each call: not saved

    def forward(self, x):
        self.last_x = x.mean(0)
        return self.fc(x - self.mean)


model = Centered()
start = model.state_dict()  # TODO: should keep the starting values
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model(torch.randn(5, 4)).pow(2).mean().backward()
optimizer.step()

print("keys:", list(model.state_dict()))
print("fc.weight changed since start:", not torch.equal(start["fc.weight"], model.fc.weight))
