# Lazy layers create their parameters at the first forward pass.
# modbox notes: lazy_uninitialized (info: counted as 0 until then)
import torch
from torch import nn

model = nn.Sequential(nn.LazyLinear(16), nn.ReLU(), nn.LazyLinear(1))
print(sum(p.numel() for p in model.parameters() if not nn.parameter.is_lazy(p)), "so far")
# uncomment to materialize them:
# model(torch.randn(2, 10))
