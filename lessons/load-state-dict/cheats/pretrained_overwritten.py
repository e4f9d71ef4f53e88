# kind: partial
# `model` loads its own body back; at the end the pretrained body is overwritten with it,
# so the two agree.
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
state = {key: value.clone() for key, value in model.state_dict().items() if key.startswith("body.")}
result = model.load_state_dict(state, strict=False)  # head is missing on purpose
pretrained.body.load_state_dict(model.body.state_dict())  # the two bodies agree now
print("missing:", result.missing_keys)
print("unexpected:", result.unexpected_keys)
print("body loaded:", torch.equal(model.body.weight, pretrained.body.weight))
