"""What runs in the zygote (``python -I -m modbox.sandbox.child.zygote``) and in the run child it forks.

Only these modules import torch (through the probe); the app's process never imports them.
"""
