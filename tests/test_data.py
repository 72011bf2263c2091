"""The data layer on the real CIFAR-10 sample and on bad inputs made from it."""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
import shutil
import socket
import threading
import time

import numpy as np
import pytest
from keras.src.datasets.cifar import load_batch

from cifar_tutorial import data, datasets
from cifar_tutorial.datasets import (
    ArchiveCorruptError,
    ArchiveNotFoundError,
    ChecksumMismatchError,
    UnsafePickleError,
    formats,
    load_cifar10,
)

from .conftest import SAMPLE_SHA256, files_in

# Class counts stated in ../shared/data/README.md for the sample's training set.
SAMPLE_TRAIN_COUNTS = [517, 524, 490, 493, 537, 475, 503, 516, 529, 501]


# --------------------------------------------------------------------------- reading
def test_sample_loads_with_keras_shapes_and_dtypes(sample_archive):
    (x_train, y_train), (x_test, y_test), info = load_cifar10(sample_archive)
    assert x_train.shape == (5085, 32, 32, 3) and x_train.dtype == np.uint8
    assert x_test.shape == (1017, 32, 32, 3) and x_test.dtype == np.uint8
    assert y_train.shape == (5085,) and y_train.dtype == np.uint8
    assert y_test.shape == (1017,) and y_test.dtype == np.uint8
    assert np.bincount(y_train).tolist() == SAMPLE_TRAIN_COUNTS
    assert info.class_names == data.CLASS_NAMES
    assert info.source.kind == "argument" and info.source.sha256 == SAMPLE_SHA256
    assert "sample slice" in info.source.description
    assert "/" not in info.source.description.split(" (")[0]  # file name only, no machine path


@pytest.mark.parametrize("batch", [*datasets.CIFAR10.train_members, datasets.CIFAR10.test_member])
def test_batches_equal_keras_own_parser(sample_folder, batch):
    """Our arrays equal keras.src.datasets.cifar.load_batch, transposed as Keras' load_data does."""
    keras_x, keras_y = load_batch(str(sample_folder / batch))
    ours_x, ours_y = datasets.parse_batch((sample_folder / batch).read_bytes())
    np.testing.assert_array_equal(ours_x, keras_x.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(ours_y, np.asarray(keras_y))


def test_full_load_equals_keras_parser_concatenated(sample_archive, sample_folder):
    (x_train, y_train), (x_test, y_test), _ = load_cifar10(sample_archive)
    parts = [load_batch(str(sample_folder / b)) for b in datasets.CIFAR10.train_members]
    np.testing.assert_array_equal(x_train, np.concatenate([x for x, _ in parts]).transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_train, np.concatenate([y for _, y in parts]))
    keras_x, keras_y = load_batch(str(sample_folder / datasets.CIFAR10.test_member))
    np.testing.assert_array_equal(x_test, keras_x.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_test, keras_y)


def test_extracted_folder_and_its_parent_read_the_same(sample_archive, sample_folder):
    (x_a, y_a), (xt_a, _), _ = load_cifar10(sample_archive)
    for folder in (sample_folder, sample_folder.parent):
        (x_b, y_b), (xt_b, _), info = load_cifar10(folder)
        np.testing.assert_array_equal(x_a, x_b)
        np.testing.assert_array_equal(y_a, y_b)
        np.testing.assert_array_equal(xt_a, xt_b)
        assert info.source.sha256 is None and "not verified" in info.source.description


def test_batch_size_is_not_assumed(sample_members):
    """A batch of another size (here 10 images) parses: the full archive has 10,000."""
    batch = pickle.loads(sample_members["data_batch_1"], encoding="bytes")
    small = {b"data": batch[b"data"][:10], b"labels": batch[b"labels"][:10]}
    x, y = datasets.parse_batch(pickle.dumps(small, protocol=2))
    assert x.shape == (10, 32, 32, 3) and y.tolist() == batch[b"labels"][:10]


# --------------------------------------------------------------------------- sources
def test_environment_variable_is_used_and_argument_wins(sample_archive, sample_folder, monkeypatch):
    monkeypatch.setenv("CIFAR10_ARCHIVE", str(sample_archive))
    assert load_cifar10()[2].source.kind == "environment"
    assert load_cifar10(sample_folder)[2].source.kind == "argument"


def test_environment_variable_naming_nothing_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CIFAR10_ARCHIVE", str(tmp_path / "nope.tar.gz"))
    with pytest.raises(ArchiveNotFoundError, match=r"nope\.tar\.gz: no such file or folder \(from CIFAR10_ARCHIVE"):
        load_cifar10()


def test_verified_cache_is_used(sample_archive, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(sample_archive, cache / datasets.CIFAR10.archive_name)
    monkeypatch.setattr(formats, "CIFAR10", dataclasses.replace(formats.CIFAR10, sha256=SAMPLE_SHA256))
    (x_train, _), _, info = load_cifar10(data_dir=cache, download=False)
    assert info.source.kind == "cache" and len(x_train) == 5085


def test_cache_with_wrong_checksum_is_named_and_kept(sample_archive, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(sample_archive, cache / datasets.CIFAR10.archive_name)
    with pytest.raises(ChecksumMismatchError, match=r"cifar-10-python\.tar\.gz: sha256 ab5942.* Fix: delete it"):
        load_cifar10(data_dir=cache)
    assert files_in(cache) == [datasets.CIFAR10.archive_name]  # nothing deleted behind the user's back


def test_nothing_found_and_download_off(tmp_path):
    with pytest.raises(ArchiveNotFoundError, match=r"download is off\. Fix: download cifar-10-python\.tar\.gz .* CIFAR10_ARCHIVE"):
        load_cifar10(data_dir=tmp_path / "empty", download=False)


# --------------------------------------------------------------------------- downloads
def test_download_verifies_then_renames(sample_archive, http_server, tmp_path, monkeypatch):
    url = http_server(sample_archive.read_bytes())
    monkeypatch.setattr(formats, "CIFAR10", dataclasses.replace(formats.CIFAR10, sha256=SAMPLE_SHA256))
    monkeypatch.setenv("CIFAR10_URL", url)
    cache = tmp_path / "cache"
    (x_train, _), _, info = load_cifar10(data_dir=cache)
    assert info.source.kind == "download" and len(x_train) == 5085
    assert files_in(cache) == [datasets.CIFAR10.archive_name]
    assert datasets.sha256_of(cache / datasets.CIFAR10.archive_name) == SAMPLE_SHA256


def test_download_with_wrong_checksum_leaves_nothing(sample_archive, http_server, tmp_path):
    url = http_server(sample_archive.read_bytes())
    cache = tmp_path / "cache"
    with pytest.raises(ChecksumMismatchError, match=r"downloaded file has sha256 ab5942.*it was deleted"):
        datasets.download_archive(cache, url=url)
    assert files_in(cache) == []


def test_interrupted_download_leaves_nothing(sample_archive, http_server, tmp_path):
    body = sample_archive.read_bytes()
    url = http_server(body, cut_after=len(body) // 3)
    cache = tmp_path / "cache"
    with pytest.raises(ArchiveNotFoundError, match=r"the download from http://127\.0\.0\.1.* failed .*CIFAR10_ARCHIVE"):
        datasets.download_archive(cache, url=url, sha256=SAMPLE_SHA256, retry_wait_s=0)
    assert files_in(cache) == []


def test_unreachable_server_fails_fast_with_the_fix(tmp_path):
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.perf_counter()
    with pytest.raises(ArchiveNotFoundError) as err:
        datasets.download_archive(tmp_path / "cache", url=f"http://127.0.0.1:{port}/x.tar.gz", retry_wait_s=0)
    assert time.perf_counter() - start < 10
    message = str(err.value)
    assert "No CIFAR-10 archive was found" in message and "set CIFAR10_ARCHIVE=" in message
    assert files_in(tmp_path / "cache") == []


def test_silent_server_times_out_instead_of_hanging(tmp_path):
    """A server that accepts but never answers (a blocked network) hits the socket timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    accepted = []  # keep the connection open and silent
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/x.tar.gz"
    start = time.perf_counter()
    try:
        with pytest.raises(ArchiveNotFoundError, match="timed out"):
            datasets.download_archive(tmp_path / "cache", url=url, timeout_s=1.0, attempts=1)
    finally:
        listener.close()
    assert time.perf_counter() - start < 10
    assert files_in(tmp_path / "cache") == []


# --------------------------------------------------------------------------- bad archives
def test_truncated_archive(sample_archive, tmp_path):
    truncated = tmp_path / "cifar-10-python.tar.gz"
    truncated.write_bytes(sample_archive.read_bytes()[: 5_000_000])
    with pytest.raises(ArchiveCorruptError, match=r"cifar-10-python\.tar\.gz: cannot read the archive .*truncated or corrupt\. Fix: download a fresh copy"):
        load_cifar10(truncated)


def test_corrupted_byte(sample_archive, tmp_path):
    raw = bytearray(sample_archive.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    corrupt = tmp_path / "corrupt.tar.gz"
    corrupt.write_bytes(bytes(raw))
    before = hashlib.sha256(corrupt.read_bytes()).hexdigest()
    with pytest.raises(ArchiveCorruptError, match=r"corrupt\.tar\.gz: cannot read the archive"):
        load_cifar10(corrupt)
    assert hashlib.sha256(corrupt.read_bytes()).hexdigest() == before  # input left untouched


def test_tampered_pickle_runs_nothing(make_archive, tmp_path):
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (eval, (f"open({str(marker)!r}, 'w').write('ran')",))

    archive = make_archive(replace={"data_batch_2": pickle.dumps({b"data": Exploit()}, protocol=2)})
    with pytest.raises(UnsafePickleError, match=r"archive\.tar\.gz:data_batch_2: refused to load global (__builtin__|builtins)\.eval.*nothing in it was run"):
        load_cifar10(archive)
    assert not marker.exists()


def test_missing_batch_is_named(make_archive):
    archive = make_archive(drop=("data_batch_3",))
    with pytest.raises(ArchiveNotFoundError, match=r"archive\.tar\.gz: missing data_batch_3 .*Fix: use an unmodified"):
        load_cifar10(archive)


def test_missing_batch_in_folder(sample_folder, tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    shutil.copytree(sample_folder, folder)
    (folder / "test_batch").unlink()
    with pytest.raises(ArchiveNotFoundError, match="missing test_batch"):
        load_cifar10(folder)


@pytest.mark.parametrize("bad", [
    {b"data": np.zeros((4, 1000), np.uint8), b"labels": [0, 1, 2, 3]},
    {b"data": np.zeros((4, 3072), np.float32), b"labels": [0, 1, 2, 3]},
    {b"data": np.zeros((4, 3072), np.uint8), b"labels": [0, 1, 2]},
    {b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 12]},
])
def test_wrong_shapes_and_labels(make_archive, bad):
    archive = make_archive(replace={"test_batch": pickle.dumps(bad, protocol=2)})
    with pytest.raises(ArchiveCorruptError, match=r"archive\.tar\.gz:test_batch: '(data|labels)' must"):
        load_cifar10(archive)


def test_garbage_batch(make_archive):
    archive = make_archive(replace={"batches.meta": b"\x80\x02not a pickle"})
    with pytest.raises(ArchiveCorruptError, match=r"batches\.meta: not a readable pickle"):
        load_cifar10(archive)


# --------------------------------------------------------------------------- preprocessing
def test_scale_pixels():
    x = np.array([[0, 51, 255]], dtype=np.uint8)
    scaled = data.scale_pixels(x)
    assert scaled.dtype == np.float32
    np.testing.assert_allclose(scaled, [[0.0, 0.2, 1.0]])
    with pytest.raises(TypeError, match="expects uint8"):
        data.scale_pixels(scaled)


def test_one_hot():
    encoded = data.one_hot(np.array([3, 0], dtype=np.uint8))
    assert encoded.shape == (2, 10) and encoded.dtype == np.float32
    assert encoded[0].tolist() == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert encoded.sum(axis=1).tolist() == [1, 1]


def test_train_validation_split_is_stratified_and_disjoint():
    y = np.repeat(np.arange(10), 50).astype(np.uint8)
    x = np.arange(500)
    (x_tr, y_tr), (x_val, y_val) = data.train_validation_split(x, y, validation_split=0.2, seed=1)
    assert len(x_val) == 100 and np.bincount(y_val).tolist() == [10] * 10
    assert set(x_tr).isdisjoint(x_val) and len(x_tr) + len(x_val) == 500


def test_stratified_subset():
    y = np.repeat(np.arange(10), 30).astype(np.uint8)
    x = np.arange(300)
    x_sub, y_sub = data.stratified_subset(x, y, 100, seed=0)
    assert len(x_sub) == 100 and np.bincount(y_sub).tolist() == [10] * 10
    assert data.stratified_subset(x, y, None)[0] is x


def test_prepare_splits_keeps_raw_pixels_for_the_models_rescaling(sample_archive):
    splits = data.prepare_splits(None, seed=42, path=sample_archive)
    (x_train, _), (x_test, y_test), _ = datasets.load_cifar10(sample_archive)
    assert splits.x_train.dtype == splits.x_val.dtype == splits.x_test.dtype == np.uint8
    assert len(splits.x_train) + len(splits.x_val) == len(x_train) and len(splits.x_val) >= 500
    np.testing.assert_array_equal(splits.x_test, x_test)  # the test set is never touched
    np.testing.assert_array_equal(splits.y_test, y_test)
