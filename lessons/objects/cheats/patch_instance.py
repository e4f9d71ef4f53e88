# kind: partial
# Cheat: set the attributes on one object from outside; __init__ still keeps nothing.


class Layer:
    def __init__(self, n_in, n_out):
        n_in = n_in
        n_out = n_out

    def describe(self):
        return f"{self.n_in} -> {self.n_out}"


layer = Layer(4, 2)
layer.n_in, layer.n_out = 4, 2
print(layer.describe())
print(sorted(vars(layer)))
