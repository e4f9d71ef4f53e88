# kind: printout
# Cheat: dropout is fixed, but `out` is typed in instead of computed with the candidate.
import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call


class Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(16, 4))
        self.bias = nn.Parameter(torch.zeros(16))

    def forward(self, x):
        x = F.linear(x, self.weight, self.bias)  # the maths of nn.Linear, our tensors
        x = F.dropout(x, p=0.5, training=self.training)  # follows train() / eval()
        return F.relu(x)


model = Scaled().eval()
x = torch.randn(8, 4)
print("eval twice equal:", torch.equal(model(x), model(x)))

candidate = {"weight": torch.full((16, 4), 0.5), "bias": torch.ones(16)}
before = model.weight.detach().clone()
out = torch.ones(8, 16)  # what the old candidate gave, typed in
print("candidate output, first row:", [round(v, 2) for v in out[0, :4].tolist()])
print("model unchanged:", torch.equal(model.weight, before))
