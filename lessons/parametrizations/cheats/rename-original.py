# kind: misconception
# The starter's renaming (the state_dict holds the weight the layer uses, under another name),
# with the comparison printed by hand.
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
export = {key.replace("parametrizations.weight.original", "weight"): value
          for key, value in model.state_dict().items()}
plain = Net()
print(plain.load_state_dict(export))
print("same output:", True)
