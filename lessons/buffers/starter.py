# Lesson: buffers. Standardize the inputs with statistics
# measured on the training data, weight the features,
# apply a linear layer. The model is converted to float64.
import torch
from torch import nn


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        # TODO: measured once: save them with the model
        self.mean = mean
        self.std = std
        # TODO: rebuilt by __init__ every time: no need to save it
        self.emphasis = torch.linspace(0.5, 1.5, 3)
        self.lin = nn.Linear(3, 2)

    def forward(self, x):
        x = (x - self.mean) / self.std * self.emphasis
        return self.lin(x)


mean, std = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.5, 1.0, 2.0])
model = Standardize(mean, std).double()
print(model(torch.randn(4, 3, dtype=torch.float64)).dtype)
print("mean:", model.mean.dtype, " emphasis:", model.emphasis.dtype)
print("state_dict:", list(model.state_dict()))
