# kind: misconception
# Honest mistake: the checkpoint is written at the end, believing a file always holds the
# model as it was when `state_dict()` was asked for.
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
checkpoint = model.state_dict()  # the checkpoint, taken now

with torch.no_grad():  # training goes on after the checkpoint
    model.out.bias += 1.0
torch.save(checkpoint, "weights.pt")  # written once training is done

restored = Net()  # the code builds the model...
restored.load_state_dict(torch.load("weights.pt"))  # ...the file fills in the numbers

print("restored out.bias:", [round(v, 4) for v in restored.out.bias.tolist()])
print("model    out.bias:", [round(v, 4) for v in model.out.bias.tolist()])
same = torch.equal(restored.hidden.weight, model.hidden.weight) and torch.equal(
    restored.out.bias + 1.0, model.out.bias)
print("restored matches the checkpoint:", same)
