import torch
from torch import nn


class Normalizer(nn.Module):
    def __init__(self, dim=4):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(dim))  # learned: a parameter
        self.register_buffer("mean", torch.zeros(dim))  # state, saved in state_dict
        self.register_buffer("scratch", torch.zeros(dim), persistent=False)  # state, not saved
        self.plain_tensor = torch.zeros(dim)  # not registered: .to() leaves it behind

    def forward(self, x):
        return (x - self.mean) * self.scale


model = Normalizer().to(torch.float64)  # moves parameters and buffers, not plain_tensor
print(model.mean.dtype, model.plain_tensor.dtype)  # torch.float64 torch.float32
print(list(model.state_dict()))  # ['scale', 'mean']: no 'scratch'
