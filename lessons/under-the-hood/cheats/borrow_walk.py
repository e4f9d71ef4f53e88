# kind: partial
# Cheat: __setattr__ records children, but the walk borrows a real Net's parameters.
import torch
from torch import nn


class MiniModule:
    def __init__(self):
        object.__setattr__(self, "_params", {})  # name -> nn.Parameter
        object.__setattr__(self, "_children", {})  # name -> MiniModule

    def __setattr__(self, name, value):
        if isinstance(value, nn.Parameter):
            self._params[name] = value  # registration: a record, made at assignment
        elif isinstance(value, MiniModule):
            self._children[name] = value
        object.__setattr__(self, name, value)

    def named_parameters(self, prefix=""):
        yield from Net().named_parameters()  # borrow the real walk from a real Net

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
mine = [name for name, _ in mini.named_parameters()]
real = [name for name, _ in model.named_parameters()]
print("mini:", mine)
print("real:", real)
print("mini count:", sum(p.numel() for p in mini.parameters()),
      "real count:", sum(p.numel() for p in model.parameters()))
print("mini children:", list(mini._children))
print("mini is an nn.Module:", isinstance(mini, nn.Module))
print("same names:", mine == real)
