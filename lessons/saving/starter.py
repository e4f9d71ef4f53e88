# Lesson: saving. Save the model, then restore it as a new object.
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
torch.save(model, "model.pt")  # TODO: save what a checkpoint needs, nothing more
restored = torch.load("model.pt")  # TODO: build a Net, then load the numbers into it

same = all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                             restored.state_dict().values()))
print("restored matches:", same)
