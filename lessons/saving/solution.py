# Lesson: saving.
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
torch.save(model.state_dict(), "weights.pt")  # names and tensors only
restored = Net()  # the code builds the model...
restored.load_state_dict(torch.load("weights.pt"))  # ...the file fills in the numbers

same = all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                             restored.state_dict().values()))
print("restored matches:", same)
