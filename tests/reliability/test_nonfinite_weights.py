"""Issue 11 point 8 (inference side): weights with NaN/Inf are refused when
a model directory is read or a checkpoint converted, naming the tensor, and
no command prints NaN as JSON."""

import json
import os

import numpy as np
import pytest

from bert_keras.errors import InputError
from tests.tiny_classifier import tiny_model_dir

pytestmark = pytest.mark.silently_wrong


def _poisoned_dir(path, name, value):
    from bert_keras.checkpoints.model_dir import save_model_dir

    md = tiny_model_dir()
    md.weights[name] = md.weights[name].copy()
    md.weights[name].flat[3] = value
    return save_model_dir(md, str(path))


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_model_dir_with_nonfinite_weight_is_refused(tmp_path, value):
    import bert_keras

    path = _poisoned_dir(tmp_path / "m", "pooler/kernel", value)
    for load in (bert_keras.BertEncoder.from_pretrained,
                 bert_keras.BertPreprocessor.from_pretrained):
        with pytest.raises(InputError, match=r"model\.safetensors: weight 'pooler/kernel' "
                                             r"has 1 NaN/Inf value\(s\) \(first at index"):
            load(path)


@pytest.mark.parametrize("name", ["embeddings/word_embeddings", "layer_0/key/bias"])
def test_every_weight_is_checked(tmp_path, name):
    from bert_keras.checkpoints.model_dir import read_model_dir

    path = _poisoned_dir(tmp_path / "m", name, np.nan)
    with pytest.raises(InputError, match=f"'{name}'"):
        read_model_dir(path)


def test_convert_refuses_nonfinite_hf_checkpoint(tmp_path):
    import bert_keras
    from tests.checkpoints.test_hf import hf_state, write_hf_dir

    state = hf_state()
    state["bert.encoder.layer.1.output.dense.weight"][0, 0] = np.inf
    write_hf_dir(tmp_path / "hf", state)
    out = tmp_path / "out"
    with pytest.raises(InputError, match="layer_1"):
        bert_keras.convert(str(tmp_path / "hf"), str(out))
    assert not out.exists()  # nothing written


def test_cli_predict_on_nan_model_is_one_error_line(tmp_path, capsys):
    from bert_keras.models.factory import build_encoder
    from bert_keras.cli.main import main
    from bert_keras.data.tasks import get_task
    from bert_keras.tasks.classifier import build_classifier, save_classifier

    base = tiny_model_dir()
    model = build_classifier(build_encoder(base), 2)
    out = save_classifier(model, tmp_path / "clf", base, get_task("sst2").to_dict(32))
    from safetensors.numpy import load_file, save_file

    weights = load_file(os.path.join(out, "model.safetensors"))
    weights["classifier/bias"][1] = np.nan
    save_file(weights, os.path.join(out, "model.safetensors"))
    capsys.readouterr()
    assert main(["predict", out, "a good movie", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and "classifier/bias" in captured.err


def test_predict_refuses_nonfinite_outputs():
    from bert_keras.tasks.classifier import predict

    class Pre:
        def __call__(self, texts):
            return {"n": len(texts)}

    def nan_model(x, training=False):
        out = np.zeros((x["n"], 2), "float32")
        out[-1, 0] = np.nan
        return out

    from bert_keras.data.tasks import get_task

    task = get_task("sst2")
    with pytest.raises(InputError, match="NaN/Inf for 1 of 3 texts"):
        predict(nan_model, Pre(), task, ["a", "b", "c"])


def test_json_output_is_always_valid_json(capsys):
    from bert_keras.cli.json_output import print_json

    print_json({"mcc": float("nan"), "scores": [1.0, float("inf")], "n": 3})
    captured = capsys.readouterr()
    assert json.loads(captured.out, parse_constant=lambda c: pytest.fail(c)) == {
        "mcc": None, "scores": [1.0, None], "n": 3}
    assert "mcc" in captured.err and "scores[1]" in captured.err


def test_docstring_examples():
    import doctest

    from bert_keras.checkpoints import finite
    from bert_keras.cli import json_output, stdin_bytes

    for module in (finite, json_output, stdin_bytes):
        result = doctest.testmod(module, verbose=False)
        assert result.attempted > 0 and result.failed == 0, module.__name__
