# Lesson: buffers. Standardize inputs with statistics measured on the training data,
# weight the features, then apply a linear layer. The whole model is converted to float64.
import torch
from torch import nn


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.mean = mean  # TODO: measured once: save it with the model
        self.std = std  # TODO: the same
        self.emphasis = torch.linspace(0.5, 1.5, 3)  # TODO: rebuilt by __init__: no need to save
        self.lin = nn.Linear(3, 2)

    def forward(self, x):
        x = (x - self.mean) / self.std * self.emphasis
        return self.lin(x)


model = Standardize(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.5, 1.0, 2.0])).double()
print(model(torch.randn(4, 3, dtype=torch.float64)).dtype)
print("mean:", model.mean.dtype, " emphasis:", model.emphasis.dtype)
print("state_dict:", list(model.state_dict()))
