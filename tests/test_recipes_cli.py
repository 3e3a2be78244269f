"""dldna.experiments.recipes_cli: the torchrun command line, and ``python -m dldna.distributed``."""
import subprocess
import sys
from pathlib import Path

import pytest

from dldna.experiments import recipes_cli

ROOT = Path(__file__).resolve().parents[1]


def test_the_parser_knows_the_recipe_and_its_options():
    args = recipes_cli._parser().parse_args(["cifar10-resnet18", "--epochs", "2", "--ema"])
    assert (args.recipe, args.epochs, args.ema, args.seed) == ("cifar10-resnet18", 2, True, 0)
    with pytest.raises(SystemExit):
        recipes_cli._parser().parse_args(["imagenet-resnet50"])


def test_command_line_runs_the_recipe_shrunk(capsys):
    # One process, offline: the CIFAR-10 recipe on the stand-in, shrunk to seconds.
    assert recipes_cli.main(["cifar10-resnet18", "--epochs", "1", "--train-size", "100",
                             "--test-size", "50", "--width", "4", "--batch-size", "50"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("ResNet-18 (width 4) on Photo-patches") and "1 process(es)" in last
    with pytest.raises(SystemExit):
        recipes_cli.main(["imagenet"])


@pytest.mark.parametrize("module", ["dldna.distributed", "dldna.experiments.recipes_cli"])
def test_python_dash_m_runs_the_command_line(module):
    done = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "cifar10-resnet18" in done.stdout


def test_the_library_never_imports_the_command_line():
    code = ("import sys, dldna.train, dldna.experiments.recipes; "
            "print('dldna.experiments.recipes_cli' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.strip() == "False", done.stderr[-2000:]
