from modbox.report import (
    Error,
    Event,
    Finding,
    Model,
    ModuleRow,
    ParameterRow,
    Report,
    Timing,
)


def _sample() -> Report:
    return Report(
        ok=False,
        error=Error(kind="exception", message="boom", line=3, traceback="Traceback..."),
        stdout="hi\n",
        models=[
            Model(
                name="model",
                cls="Net",
                total_params=10,
                trainable_params=10,
                param_bytes=40,
                buffer_bytes=0,
                modules=[ModuleRow(path="", cls="Net", depth=0, own_params=0, total_params=10,
                                   trainable="all", training=True, output_shape=[2, 2])],
                parameters=[ParameterRow(name="fc.weight", shape=[2, 4], numel=8, dtype="float32",
                                         device="cpu", requires_grad=True, has_grad=False)],
                findings=[Finding(kind="unregistered_module", severity="warning", path="",
                                  message="m", line=5)],
            )
        ],
        events=[Event(seq=0, kind="forward", path="fc", model="model", cls="Linear",
                      inputs=[[2, 4]], outputs=[[2, 2]])],
        events_total=1,
        sandbox="plain",
        timing=Timing(run=1.5, total=9.0),
    )


def test_report_round_trips_through_json():
    report = _sample()
    assert Report.from_json(report.to_json()) == report


def test_json_spells_class_as_class_and_carries_schema():
    data = _sample().to_dict()
    assert data["schema"] == 1
    assert data["models"][0]["class"] == "Net"
    assert data["models"][0]["modules"][0]["class"] == "Net"
    assert "cls" not in data["models"][0]


def test_unknown_keys_from_a_newer_producer_are_ignored():
    data = _sample().to_dict()
    data["future_field"] = 1
    data["models"][0]["future_field"] = 2
    assert Report.from_dict(data) == _sample()


def test_model_lookup_defaults_to_the_first_model():
    report = _sample()
    assert report.model().name == "model"
    assert report.model("model").cls == "Net"
    assert report.model("missing") is None
