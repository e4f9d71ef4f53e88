# Lesson: state_dict.
import torch
from torch import nn


class Centered(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.register_buffer("mean", torch.zeros(4))  # a buffer: saved, follows .to()
        self.register_buffer("last_x", torch.zeros(4), persistent=False)  # kept, not saved

    def forward(self, x):
        self.last_x = x.mean(0)
        return self.fc(x - self.mean)


model = Centered()
start = {key: value.clone() for key, value in model.state_dict().items()}  # real copies
model(torch.randn(5, 4)).pow(2).mean().backward()
with torch.no_grad():  # one step of plain gradient descent
    for p in model.parameters():
        p -= 0.1 * p.grad

print("keys:", list(model.state_dict()))
print("fc.weight changed since start:", not torch.equal(start["fc.weight"], model.fc.weight))
