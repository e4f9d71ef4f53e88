# A tensor attribute that is neither a Parameter nor a buffer: not saved, not moved by .to().
# modbox finds: unregistered_tensor (fix: register_buffer)
import torch
from torch import nn


class Normalize(nn.Module):
    def __init__(self):
        super().__init__()
        self.mean = torch.tensor([0.5, 0.5, 0.5])
        self.register_buffer("std", torch.tensor([0.2, 0.2, 0.2]))
        self.proj = nn.Linear(3, 3)

    def forward(self, x):
        return self.proj((x - self.mean) / self.std)


model = Normalize()
print(list(model.state_dict()))
print(model(torch.rand(2, 3)).shape)
