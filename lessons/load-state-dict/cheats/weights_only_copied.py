# kind: partial
# Only the body's weight is renamed and loaded; its bias stays as initialised.
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
state = {key: value for key, value in state.items() if key == "body.weight"}
result = model.load_state_dict(state, strict=False)  # head is missing on purpose
print("missing:", result.missing_keys)
print("unexpected:", result.unexpected_keys)
print("body loaded:", torch.equal(model.body.weight, pretrained.body.weight))
