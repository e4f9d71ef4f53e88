# A tiny transformer classifier: embeddings, encoder layers, a pooled head. Nothing wrong here.
import torch
from torch import nn

torch.manual_seed(0)


class Classifier(nn.Module):
    def __init__(self, vocab=100, dim=32, heads=4, layers=2, classes=3):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.position = nn.Parameter(torch.zeros(1, 16, dim))
        layer = nn.TransformerEncoderLayer(dim, heads, dim * 2, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, tokens):
        x = self.embed(tokens) + self.position[:, : tokens.shape[1]]
        return self.head(self.norm(self.encoder(x)).mean(dim=1))


model = Classifier()
tokens = torch.randint(0, 100, (4, 10))
print(model(tokens).shape)
