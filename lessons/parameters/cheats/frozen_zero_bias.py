# kind: misconception
# Honest mistake: a bias that never learns is believed to be no bias; it is still a
# parameter, saved and counted.
import torch
from torch import nn


class ScaledLinear(nn.Module):
    def __init__(self, n_in, n_out, bias=True, n_scales=2):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_out, n_in) * 0.1)
        if bias:
            self.bias = nn.Parameter(torch.zeros(n_out))
        else:
            # frozen at zero: no bias in effect
            self.bias = nn.Parameter(torch.zeros(n_out), requires_grad=False)
        self.scales = nn.ParameterList(
            [nn.Parameter(torch.ones(n_out)) for _ in range(n_scales)]
        )

    def forward(self, x):
        y = x @ self.weight.T
        if self.bias is not None:
            y = y + self.bias
        for scale in self.scales:
            y = y * scale
        return y


model = ScaledLinear(4, 3, bias=False)
with_bias = ScaledLinear(4, 3)
print(model(torch.randn(5, 4)).shape)
print("model:", [name for name, _ in model.named_parameters()])
print("with_bias:", [name for name, _ in with_bias.named_parameters()])
