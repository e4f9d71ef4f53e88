# .double() converts the layers that exist at that moment, not the ones added later.
# modbox finds: dtype_mismatch (fix: call .to(dtype) after the last layer is added)
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU()).double()
model.append(nn.Linear(8, 1))
print({name: p.dtype for name, p in model.named_parameters()})
