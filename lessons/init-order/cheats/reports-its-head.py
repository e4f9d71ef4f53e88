# kind: introspection
# The head is kept outside the records, and the class reports it anyway.
import torch
from torch import nn


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(4, 8)

    def forward(self, x):
        return torch.relu(self.body(x))


class Classifier(Backbone):
    def __init__(self, classes):
        object.__setattr__(self, "head", nn.Linear(8, classes))
        super().__init__()

    def forward(self, x):
        return self.head(super().forward(x))

    def named_children(self):
        yield "body", self.body
        yield "head", self.head

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        yield prefix, self
        for name, child in self.named_children():
            yield from child.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        for name, child in self.named_children():
            for pname, p in child.named_parameters():
                yield name + "." + pname, p

    def state_dict(self, *args, **kwargs):
        return {name: p.detach() for name, p in self.named_parameters()}


model = Classifier(3)
print(model(torch.randn(2, 4)).shape)
print("parts:", [name for name, _ in model.named_children()])
