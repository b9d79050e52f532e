"""A cluster run on the Marian (OPUS-MT-style) test model equals a local run.

The model directory's bytes travel through Ray's object store, checked by
SHA-256, and the workers build the Marian engine from memory; the outputs
are compared byte for byte with the same inputs translated locally.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cluster_fixtures import GLOSSARY, REPO, assert_same_outputs, start_cluster, stop_cluster

MARIAN = REPO / "tests" / "data" / "marian-de_en-tiny"

pytestmark = pytest.mark.skipif(
    not MARIAN.exists(), reason=f"{MARIAN.name} not built (tools/build_marian_test_model.py)"
)

TEXTS = {
    "a.txt": "Peking kontrolliert seltene Erden.\n\nDie Regierung in Tokio hat am Montag "
    "neue Exportkontrollen angekündigt.\n",
    "b.txt": "Die USA und Japan wollen die Zölle senken. Das Ministerium in Peking widerspricht.\n",
}


def _options(out: Path) -> Any:
    from transkit.pipeline import TranslateOptions

    return TranslateOptions(model=str(MARIAN), glossary_paths=(GLOSSARY,), out_dir=out)


def test_a_cluster_run_on_the_marian_model_equals_a_local_run(ray_folder: Path) -> None:
    from transkit.cluster.driver import ClusterOptions, run_cluster_translate
    from transkit.pipeline import run_translate

    inputs = []
    for name, text in TEXTS.items():
        path = ray_folder / "inputs" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        inputs.append(str(path))
    local = run_translate(inputs, _options(ray_folder / "local"))
    assert not local.failed and local.model == f"marian:{MARIAN.name}"
    cluster = start_cluster(ray_folder, 1)
    try:
        run = run_cluster_translate(
            inputs, _options(ray_folder / "cluster"), ClusterOptions(address="auto", workers=1)
        )
    finally:
        stop_cluster(cluster)
    assert not run.failed, [f.error for f in run.failed]
    assert run.model == local.model
    assert_same_outputs(ray_folder / "local", ray_folder / "cluster")
    summary = run.summary()
    assert summary["terms_required"] > 0 and summary["terms_failed"] == 0
    assert "Beijing" in (ray_folder / "cluster" / "a.en.txt").read_text(encoding="utf-8")


def test_a_damaged_marian_model_is_refused_by_the_worker(tmp_path: Path) -> None:
    """The ``shared`` transport: the worker reads the directory and checks its digest."""
    import shutil

    pytest.importorskip("ray", reason="Ray is not installed: pip install 'transkit[cluster]'")
    from transkit.cluster.shipment import ModelShipment, files_digest
    from transkit.engine.ct2 import EngineOptions
    from transkit.errors import ModelError
    from transkit.models import package_files, resolve_model

    copy = shutil.copytree(MARIAN, tmp_path / "opus-mt-de-en")
    package = resolve_model(str(copy))
    shipment = ModelShipment(package=package, digest=files_digest(package_files(package)))
    assert shipment.load_engine(EngineOptions()).family == "marian"
    with (copy / "target.spm").open("ab") as spm:
        spm.write(b"\0")
    with pytest.raises(ModelError, match="SHA-256"):
        shipment.load_engine(EngineOptions())
