# kind: introspection
# Net's own `load_state_dict` strips the prefix and drops the head, and reports the load
# as clean.
import torch
from torch import nn

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.body = nn.Linear(4, 8)
        self.head = nn.Linear(8, classes)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        state = {k.removeprefix("module."): v for k, v in state_dict.items()}
        state = {k: v for k, v in state.items() if not k.startswith("head.")}
        return super().load_state_dict(state, strict=False, assign=assign)

    def forward(self, x):
        return self.head(torch.relu(self.body(x)))


# A checkpoint saved from nn.DataParallel(Net(classes=3)): every key starts with "module."
pretrained = Net(classes=3)
checkpoint = {"module." + key: value for key, value in pretrained.state_dict().items()}

model = Net(classes=2)  # the same body, a new head for 2 classes
result = model.load_state_dict(checkpoint)  # Net knows how to read it
print("missing:", result.missing_keys)
print("unexpected:", result.unexpected_keys)
print("body loaded:", torch.equal(model.body.weight, pretrained.body.weight))
