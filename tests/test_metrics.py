"""Evaluation helpers: confusions, top-k, calibration, and prediction on image files."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from cifar_tutorial import data, metrics, models


def test_most_confused_pairs():
    y_true = np.array([3, 3, 3, 5, 5, 1, 1, 1])
    y_pred = np.array([5, 5, 3, 3, 5, 9, 1, 1])
    pairs = metrics.most_confused_pairs(y_true, y_pred, data.CLASS_NAMES, k=5)
    assert pairs == [("cat", "dog", 2, pytest.approx(2 / 3)), ("automobile", "truck", 1, pytest.approx(1 / 3)),
                     ("dog", "cat", 1, pytest.approx(0.5))]


def test_top_k_accuracy():
    probabilities = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7], [0.6, 0.3, 0.1]])
    y_true = np.array([1, 2, 2])
    assert metrics.top_k_accuracy(y_true, probabilities, 1) == pytest.approx(1 / 3)
    assert metrics.top_k_accuracy(y_true, probabilities, 2) == pytest.approx(2 / 3)
    with pytest.warns(UserWarning, match="will result in a perfect score"):  # scikit-learn's own warning
        assert metrics.top_k_accuracy(y_true, probabilities, 3) == 1.0


def test_expected_calibration_error_by_hand():
    # Two bins used: confidence 0.9 (2 predictions, 1 right) and 0.6 (2 predictions, both right).
    probabilities = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]])
    y_true = np.array([0, 1, 0, 0])
    # |0.5 - 0.9| * 2/4 + |1.0 - 0.6| * 2/4 = 0.4
    assert metrics.expected_calibration_error(y_true, probabilities, n_bins=10) == pytest.approx(0.4)
    edges, accuracy, confidence, counts = metrics.calibration_bins(y_true, probabilities, n_bins=10)
    assert counts.sum() == 4 and counts[8] == 2 and counts[5] == 2
    assert np.isnan(accuracy[0]) and accuracy[8] == 0.5


def test_perfectly_calibrated_predictions_have_zero_ece():
    probabilities = np.tile([[1.0, 0.0]], (5, 1))
    assert metrics.expected_calibration_error(np.zeros(5, int), probabilities) == 0.0


@pytest.fixture(scope="module")
def test_images(sample_archive):
    (_, _), (x_test, y_test), info = data.load_cifar10(sample_archive)
    return x_test[:2], y_test[:2], info.class_names


@pytest.fixture(scope="module")
def model():
    return models.compile_classifier(models.build_tutorial_cnn())


def test_png_of_cifar_size_reads_back_exactly(test_images, tmp_path):
    x, _, _ = test_images
    path = tmp_path / "image.png"
    Image.fromarray(x[0]).save(path)
    np.testing.assert_allclose(metrics.load_image(path), data.scale_pixels(x[0]), atol=1e-7)


def test_jpeg_of_another_size_is_resized(test_images, tmp_path):
    x, _, _ = test_images
    path = tmp_path / "photo.jpg"
    Image.fromarray(x[1]).resize((120, 90)).save(path, quality=95)
    image = metrics.load_image(path)
    assert image.shape == (32, 32, 3) and image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() <= 1.0
    # Resizing up and back down keeps the picture: mean absolute error under 5% of the range.
    assert np.abs(image - data.scale_pixels(x[1])).mean() < 0.05


def test_predict_image_returns_top3(test_images, model, tmp_path):
    x, _, class_names = test_images
    path = tmp_path / "image.png"
    Image.fromarray(x[0]).save(path)
    top = metrics.predict_image(model, path, class_names)
    assert len(top) == 3 and all(name in class_names for name, _ in top)
    probabilities = [p for _, p in top]
    assert probabilities == sorted(probabilities, reverse=True) and sum(probabilities) <= 1 + 1e-6
    expected = model.predict(data.scale_pixels(x[:1]), verbose=0)[0]
    assert top[0][1] == pytest.approx(float(expected.max()), abs=1e-6)


def test_greyscale_image_is_converted_to_rgb(test_images, tmp_path):
    x, _, _ = test_images
    path = tmp_path / "grey.png"
    Image.fromarray(x[0]).convert("L").save(path)
    image = metrics.load_image(path)
    assert image.shape == (32, 32, 3)
    np.testing.assert_array_equal(image[..., 0], image[..., 1])
    np.testing.assert_array_equal(image[..., 1], image[..., 2])


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.jpg: no such image file"):
        metrics.load_image(tmp_path / "nope.jpg")


def test_file_that_is_not_an_image(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("not an image at all")
    with pytest.raises(ValueError, match=r"notes\.png: not an image file Pillow can read"):
        metrics.load_image(path)
