"""modbox: learn how PyTorch's nn.Module really works."""

__version__ = "0.1.0"
