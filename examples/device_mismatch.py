# .to(device) moves the layers that exist at that moment, not the ones added later.
# modbox finds: device_mismatch (fix: call .to(device) after the last layer is added)
# Without a GPU this uses the "meta" device, which holds shapes but no data.
import torch
from torch import nn

device = "cuda" if torch.cuda.is_available() else "meta"
model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8)).to(device)
model.append(nn.Linear(8, 1))
print({name: str(p.device) for name, p in model.named_parameters()})
