# kind: memory
# Cheat: a state_dict copied in memory; no file is written or read.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)
        self.out = nn.Linear(8, 2)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))


model = Net()
restored = Net()
restored.load_state_dict({k: v.clone() for k, v in model.state_dict().items()})

with torch.no_grad():  # training goes on after the checkpoint
    model.out.bias += 1.0


print("restored out.bias:", [round(v, 4) for v in restored.out.bias.tolist()])
print("model    out.bias:", [round(v, 4) for v in model.out.bias.tolist()])
same = torch.equal(restored.hidden.weight, model.hidden.weight) and torch.equal(
    restored.out.bias + 1.0, model.out.bias)
print("restored matches the checkpoint:", same)
