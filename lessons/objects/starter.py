# Lesson: a model is an object.
# Run this file, read the error, then fix __init__ so the numbers stay on the object.


class Layer:
    def __init__(self, n_in, n_out):
        # TODO: these two lines only create local variables, which vanish when
        #       __init__ returns. Keep the values on the object instead.
        n_in = n_in
        n_out = n_out

    def describe(self):
        return f"{self.n_in} -> {self.n_out}"


layer = Layer(4, 2)
print(layer.describe())
print(sorted(vars(layer)))
