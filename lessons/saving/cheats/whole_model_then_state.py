# kind: misconception
# Honest mistake: the whole model is saved, believing `torch.load` of it and a
# `load_state_dict` of its state are the same as saving the state_dict.
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
torch.save(model, "weights.pt")  # the model, with its state_dict inside

with torch.no_grad():  # training goes on after the checkpoint
    model.out.bias += 1.0

restored = Net()  # the code builds the model...
restored.load_state_dict(torch.load("weights.pt", weights_only=False).state_dict())  # ...the file fills in the numbers

print("restored out.bias:", [round(v, 4) for v in restored.out.bias.tolist()])
print("model    out.bias:", [round(v, 4) for v in model.out.bias.tolist()])
same = torch.equal(restored.hidden.weight, model.hidden.weight) and torch.equal(
    restored.out.bias + 1.0, model.out.bias)
print("restored matches the checkpoint:", same)
