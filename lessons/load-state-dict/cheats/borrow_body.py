# kind: partial
# Cheat: the pretrained layer object is moved over; the checkpoint is never loaded.
import torch
from torch import nn

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.body = nn.Linear(4, 8)
        self.head = nn.Linear(8, classes)

    def forward(self, x):
        return self.head(torch.relu(self.body(x)))


# A checkpoint saved from nn.DataParallel(Net(classes=3)): every key starts with "module."
pretrained = Net(classes=3)
checkpoint = {"module." + key: value for key, value in pretrained.state_dict().items()}

model = Net(classes=2)  # the same body, a new head for 2 classes
model.body = pretrained.body  # borrow the pretrained layer object instead of loading the checkpoint
print("missing:", ["head.weight", "head.bias"])
print("unexpected:", [])
print("body loaded:", torch.equal(model.body.weight, pretrained.body.weight))
