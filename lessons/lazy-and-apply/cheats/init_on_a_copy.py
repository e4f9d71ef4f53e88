# kind: decoy
# `init` is applied after a dry run, but to a deep copy made to try it out; the model
# itself keeps PyTorch's defaults.
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.LazyLinear(16), nn.ReLU(), nn.LazyLinear(3))


@torch.no_grad()
def init(module):
    if isinstance(module, nn.Linear):
        nn.init.xavier_uniform_(module.weight)
        nn.init.zeros_(module.bias)


x = torch.randn(4, 5)  # 4 examples, 5 features
model(x)  # dry run: the lazy layers see 5 features and create their weights
import copy
trial = copy.deepcopy(model).apply(init)  # try the initialisation on a copy first

print(model(x).shape)
print("parameters:", sum(p.numel() for p in model.parameters()))
print("biases zero:", all(torch.all(m.bias == 0).item() for m in (model[0], model[2])))
