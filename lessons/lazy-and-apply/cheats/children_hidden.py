# kind: introspection
# A Sequential whose own `children` leaves lazy layers out, so `apply` runs before the dry run
# without an error.
import torch
from torch import nn

torch.manual_seed(0)


class Net(nn.Sequential):
    def children(self):
        return (m for m in super().children() if not isinstance(m, nn.modules.lazy.LazyModuleMixin))


model = Net(nn.LazyLinear(16), nn.ReLU(), nn.LazyLinear(3))


@torch.no_grad()
def init(module):
    if isinstance(module, nn.Linear):
        nn.init.xavier_uniform_(module.weight)
        nn.init.zeros_(module.bias)


x = torch.randn(4, 5)  # 4 examples, 5 features
model.apply(init)
model(x)  # dry run: the lazy layers see 5 features and create their weights

print(model(x).shape)
print("parameters:", sum(p.numel() for p in model.parameters()))
print("biases zero:", all(torch.all(m.bias == 0).item() for m in (model[0], model[2])))
