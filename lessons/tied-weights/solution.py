# Lesson: tied weights.
import torch
from torch import nn


class TinyLM(nn.Module):
    def __init__(self, vocab=10, dim=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)  # token -> vector, weight [10, 4]
        self.mix = nn.Linear(dim, dim)
        self.head = nn.Linear(dim, vocab, bias=False)  # vector -> scores, weight [10, 4]
        self.head.weight = self.emb.weight  # one Parameter, registered under two names

    def forward(self, tokens):
        return self.head(torch.tanh(self.mix(self.emb(tokens))))


model = TinyLM()
print(model(torch.tensor([1, 2, 3])).shape)
print("tied:", model.head.weight is model.emb.weight)
print("parameters:", sum(p.numel() for p in model.parameters()))
