# Lesson: tied weights. Let the output layer reuse the embedding's weight.
import torch
from torch import nn


class TinyLM(nn.Module):
    def __init__(self, vocab=10, dim=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)  # token -> vector, weight [10, 4]
        self.mix = nn.Linear(dim, dim)
        self.head = nn.Linear(dim, vocab, bias=False)  # vector -> scores, weight [10, 4]
        # TODO: make `head` use the very same weight tensor as `emb`

    def forward(self, tokens):
        return self.head(torch.tanh(self.mix(self.emb(tokens))))


model = TinyLM()
print(model(torch.tensor([1, 2, 3])).shape)
print("tied:", model.head.weight is model.emb.weight)
print("parameters:", sum(p.numel() for p in model.parameters()))
