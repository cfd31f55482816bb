"""QA fine-tuning SIGKILLed at a chosen step (the runner's test hook)
resumes from its last checkpoint when the same command is run again, and
ends with the very model an uninterrupted run makes (as
`test_runner.test_killed_finetuning_resumes_to_the_same_model` for
classification)."""

import os

from tests.tiny_qa import TINY_FLAGS, tiny_qa_base, write_squad_slice
from tests.training.test_runner import assert_same_weights, run_cli


def test_killed_qa_finetuning_resumes_to_the_same_model(tmp_path):
    base = tiny_qa_base(tmp_path / "base")
    train = write_squad_slice(tmp_path / "train.json", 6)   # 5 steps of 8 windows

    def command(out):
        return ["finetune", base, "--task", "squad", "--train", train, "--out", str(out),
                "--epochs", "1", "--batch-size", "8", "--lr", "1e-3", "--dropout", "0",
                "--checkpoint-every", "2", "--no-tensorboard", *TINY_FLAGS]

    killed = run_cli(command(tmp_path / "out"), kill_at=3)
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert os.path.isfile(tmp_path / "out" / "training" / "checkpoint.npz")
    resumed = run_cli(command(tmp_path / "out"))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resuming from step 2 of 5" in resumed.stderr
    assert not os.path.exists(tmp_path / "out" / "training" / "checkpoint.npz")

    whole = run_cli(command(tmp_path / "whole"))
    assert whole.returncode == 0, whole.stderr[-3000:]
    assert_same_weights(tmp_path / "out", tmp_path / "whole")

    # Other window settings are another run: refused, naming the setting.
    other = run_cli([*command(tmp_path / "whole"), "--doc-stride", "8"])
    assert other.returncode == 2 and "doc_stride" in other.stderr.strip().splitlines()[-1]
