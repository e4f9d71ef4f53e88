# kind: decoy
# The load goes into a spare Net; `model` gets the body by copying tensors one by one.
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
state = {key.removeprefix("module."): value for key, value in checkpoint.items()}
state = {key: value for key, value in state.items() if not key.startswith("head.")}
spare = Net(classes=2)
result = spare.load_state_dict(state, strict=False)  # a load, into another model
with torch.no_grad():
    model.body.weight.copy_(spare.body.weight)
    model.body.bias.copy_(spare.body.bias)
print("missing:", result.missing_keys)
print("unexpected:", result.unexpected_keys)
print("body loaded:", torch.equal(model.body.weight, pretrained.body.weight))
