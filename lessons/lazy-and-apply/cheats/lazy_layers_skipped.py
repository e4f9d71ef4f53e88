# kind: misconception
# Honest mistake: `init` skips lazy layers so `apply` can run first, believing the dry run
# will pick the initialisation up later.
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.LazyLinear(16), nn.ReLU(), nn.LazyLinear(3))


@torch.no_grad()
def init(module):
    if isinstance(module, nn.Linear) and not isinstance(module, nn.modules.lazy.LazyModuleMixin):
        nn.init.xavier_uniform_(module.weight)
        nn.init.zeros_(module.bias)


x = torch.randn(4, 5)  # 4 examples, 5 features
model.apply(init)  # initialise what can be initialised
model(x)  # dry run: the lazy layers create their weights

print(model(x).shape)
print("parameters:", sum(p.numel() for p in model.parameters()))
print("biases zero:", all(torch.all(m.bias == 0).item() for m in (model[0], model[2])))
