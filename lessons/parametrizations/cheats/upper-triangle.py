# kind: partial
# Half of the weight: the upper triangle of the learned tensor, without its mirror image.
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
export = {key: value for key, value in model.state_dict().items() if ".parametrizations." not in key}
export["mix.weight"] = model.mix.parametrizations.weight.original.detach().triu()
plain = Net()
print(plain.load_state_dict(export))
x = torch.randn(2, 4)
print("same output:", torch.allclose(plain(x), model(x)))
