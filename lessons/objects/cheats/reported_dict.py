# kind: introspection
# `__dict__` is a property that reports the numbers of the newest Layer.


class Layer:
    def __init__(self, n_in, n_out):
        Layer.last = (n_in, n_out)

    @property
    def __dict__(self):
        return dict(zip(("n_in", "n_out"), Layer.last))

    def describe(self):
        return "{} -> {}".format(*Layer.last)


layer = Layer(4, 2)
print(layer.describe())
print(sorted(vars(layer)))
