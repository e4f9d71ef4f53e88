# kind: introspection
# Scaled's own `eval()` sets the dropout probability to 0, so `training` never matters.
import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call


class Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(16, 4))
        self.bias = nn.Parameter(torch.zeros(16))
        self.p = 0.5

    def forward(self, x):
        x = F.linear(x, self.weight, self.bias)  # the maths of nn.Linear, our tensors
        x = F.dropout(x, p=self.p)
        return F.relu(x)

    def eval(self):
        self.p = 0.0  # no dropout when evaluating
        return super().eval()


model = Scaled().eval()
x = torch.randn(8, 4)
print("eval twice equal:", torch.equal(model(x), model(x)))

candidate = {"weight": torch.full((16, 4), 0.5), "bias": torch.ones(16)}
before = model.weight.detach().clone()
out = functional_call(model, candidate, (x,))  # runs with candidate, changes nothing
print("candidate output, first row:", [round(v, 2) for v in out[0, :4].tolist()])
print("model unchanged:", torch.equal(model.weight, before))
