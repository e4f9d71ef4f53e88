# kind: misconception
# Honest attempt: copy.copy makes a new model object, so it must be independent.
import copy

import torch
from torch import nn


class Scale(nn.Module):
    def __init__(self, factor):
        super().__init__()
        self.factor = factor

    def forward(self, x):
        return x * self.factor

    def extra_repr(self):  # the text inside Scale(...) when printed
        return f"factor={self.factor}"


class TinyLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 4)
        self.body = nn.Sequential(nn.Linear(4, 4), Scale(0.5), nn.Linear(4, 4))
        self.head = nn.Linear(4, 10, bias=False)
        self.head.weight = self.emb.weight  # tied

    def forward(self, tokens):
        return self.head(self.body(self.emb(tokens)))


def count_linear(module):
    return sum(isinstance(m, nn.Linear) for m in module.modules())


model = TinyLM()
teacher = copy.copy(model)
print(model)
print("linear layers:", count_linear(model))
