# kind: partial
# Honest attempt: look one level further than children(), which reaches this model's layers.
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
    found = 0
    for child in module.children():
        found += isinstance(child, nn.Linear)
        found += sum(isinstance(grandchild, nn.Linear) for grandchild in child.children())
    return found


model = TinyLM()
teacher = copy.deepcopy(model)
print(model)
print("linear layers:", count_linear(model))
