# kind: printout
# Cheat: MiniModule is left unfinished; the comparison lines are typed in.
import torch
from torch import nn


class MiniModule:
    def __init__(self):
        object.__setattr__(self, "_params", {})  # name -> nn.Parameter
        object.__setattr__(self, "_children", {})  # name -> MiniModule

    def __setattr__(self, name, value):
        # TODO: record Parameters in self._params and MiniModules in self._children
        object.__setattr__(self, name, value)

    def named_parameters(self, prefix=""):
        # TODO: yield (dotted name, parameter) pairs, in the same order as nn.Module
        yield from ()

    def parameters(self):
        for _, p in self.named_parameters():
            yield p


class MiniLinear(MiniModule):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_out, n_in))
        self.bias = nn.Parameter(torch.zeros(n_out))


class MiniNet(MiniModule):
    def __init__(self):
        super().__init__()
        self.hidden = MiniLinear(4, 8)
        self.out = MiniLinear(8, 2)
        self.scale = nn.Parameter(torch.ones(2))


class Net(nn.Module):  # the same structure, built on the real nn.Module
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)
        self.out = nn.Linear(8, 2)
        self.scale = nn.Parameter(torch.ones(2))


mini, model = MiniNet(), Net()
print("mini count: 60 real count: 60")
print("mini children: ['hidden', 'out']")
print("mini is an nn.Module: False")
print("same names: True")
