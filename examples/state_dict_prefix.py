# A model wrapped in DataParallel (or compiled) saves every key with a prefix: "module.fc.weight".
# modbox finds: state_dict_prefix (fix: strip the prefix before load_state_dict)
import torch
from torch import nn

net = nn.Sequential(nn.Linear(4, 2))
wrapped = nn.DataParallel(net)
checkpoint = wrapped.state_dict()
print(list(checkpoint))

model = nn.Sequential(nn.Linear(4, 2))
result = model.load_state_dict(checkpoint, strict=False)
print("missing:", result.missing_keys)
