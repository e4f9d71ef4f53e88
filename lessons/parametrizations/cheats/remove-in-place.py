# kind: misconception
# Remove the parametrization from the training model itself.
import torch
from torch import nn
from torch.nn.utils import parametrize


class Symmetric(nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).T


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.mix = nn.Linear(4, 4)
        self.out = nn.Linear(4, 2)

    def forward(self, x):
        return self.out(torch.tanh(self.mix(x)))


model = Net()
parametrize.register_parametrization(model.mix, "weight", Symmetric())
parametrize.remove_parametrizations(model.mix, "weight")
export = model.state_dict()
plain = Net()
print(plain.load_state_dict(export))
x = torch.randn(2, 4)
print("same output:", torch.allclose(plain(x), model(x)))
