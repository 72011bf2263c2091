"""Evaluation helpers: confusions, top-k, calibration, and prediction on image files."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from PIL import Image

from cifar_tutorial import data, inference, metrics, plots


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
    return keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Rescaling(1 / 255),
                             keras.layers.Conv2D(8, 3, activation="relu"), keras.layers.GlobalAveragePooling2D(),
                             keras.layers.Dense(10, activation="softmax")])


def test_png_of_cifar_size_reads_back_exactly(test_images, tmp_path):
    x, _, _ = test_images
    path = tmp_path / "image.png"
    Image.fromarray(x[0]).save(path)
    image = inference.load_image(path)
    assert image.dtype == np.uint8
    np.testing.assert_array_equal(image, x[0])


def test_jpeg_of_another_size_is_resized(test_images, tmp_path):
    x, _, _ = test_images
    path = tmp_path / "photo.jpg"
    Image.fromarray(x[1]).resize((120, 90)).save(path, quality=95)
    image = inference.load_image(path)
    assert image.shape == (32, 32, 3) and image.dtype == np.uint8
    # Resizing up and back down keeps the picture: mean absolute error under 5% of the range.
    assert np.abs(image.astype(float) - x[1]).mean() < 0.05 * 255


def test_predict_image_returns_top3(test_images, model, tmp_path):
    x, _, class_names = test_images
    path = tmp_path / "image.png"
    Image.fromarray(x[0]).save(path)
    top = inference.predict_image(model, path, class_names)
    assert len(top) == 3 and all(name in class_names for name, _ in top)
    probabilities = [p for _, p in top]
    assert probabilities == sorted(probabilities, reverse=True) and sum(probabilities) <= 1 + 1e-6
    expected = model.predict(x[:1], verbose=0)[0]
    assert top[0][1] == pytest.approx(float(expected.max()), abs=1e-6)


def test_greyscale_image_is_converted_to_rgb(test_images, tmp_path):
    x, _, _ = test_images
    path = tmp_path / "grey.png"
    Image.fromarray(x[0]).convert("L").save(path)
    image = inference.load_image(path)
    assert image.shape == (32, 32, 3)
    np.testing.assert_array_equal(image[..., 0], image[..., 1])
    np.testing.assert_array_equal(image[..., 1], image[..., 2])


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.jpg: no such image file"):
        inference.load_image(tmp_path / "nope.jpg")


def test_file_that_is_not_an_image(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("not an image at all")
    with pytest.raises(ValueError, match=r"notes\.png: not an image file Pillow can read"):
        inference.load_image(path)


def test_accuracy_interval_is_wilson():
    y_true = np.zeros(100, dtype=int)
    y_pred = np.r_[np.zeros(80, dtype=int), np.ones(20, dtype=int)]
    accuracy, low, high = metrics.accuracy_interval(y_true, y_pred)
    # Wilson 95% interval for 80/100 (z = 1.95996): (0.7112, 0.8667), e.g. Brown, Cai and DasGupta (2001).
    assert accuracy == 0.8
    assert low == pytest.approx(0.7112, abs=1e-4) and high == pytest.approx(0.8667, abs=1e-4)
    with pytest.raises(ValueError, match="same non-zero length"):
        metrics.accuracy_interval(y_true, y_pred[:5])


def test_mcnemar_counts_only_disagreements():
    y = np.zeros(40, dtype=int)
    a = np.zeros(40, dtype=int)
    b = np.zeros(40, dtype=int)
    b[:10] = 1  # B wrong on 10 images where A is right
    a[10:12] = 1  # A wrong on 2 images where B is right
    a[30:], b[30:] = 2, 3  # both wrong on 10 images: they carry no information
    a_only, b_only, p_value = metrics.mcnemar_test(y, a, b)
    assert (a_only, b_only) == (10, 2)
    # Exact two-sided binomial test of 10 successes in 12 trials at p = 1/2: 2 * P(X >= 10) = 0.0386.
    assert p_value == pytest.approx(0.03857, abs=1e-4)
    assert metrics.mcnemar_test(y, a, a)[2] == 1.0
    with pytest.raises(ValueError, match="differ in length"):
        metrics.mcnemar_test(y, a, b[:3])


def test_confusion_matrix_by_columns():
    from cifar_tutorial import plots

    y_true, y_pred = np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1])
    fig = plots.plot_confusion_matrix(y_true, y_pred, ["a", "b"], normalize="pred")
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["0.00", "0.33", "0.67", "1.00"]  # column b: 1 of 3 predictions was truly a
    with pytest.raises(ValueError, match="normalize"):
        plots.plot_confusion_matrix(y_true, y_pred, ["a", "b"], normalize="rows")


def test_paired_difference_is_students_t_over_the_paired_differences():
    a = np.array([0.40, 0.42, 0.41, 0.39, 0.43])
    d = np.array([0.01, 0.03, 0.02, 0.04, 0.00])
    diff = metrics.paired_difference(a, a + d)
    half = 2.7764451051977987 * d.std(ddof=1) / np.sqrt(5)  # t quantile 0.975 with 4 degrees of freedom (tables)
    assert diff.mean == pytest.approx(0.02)
    assert (diff.low, diff.high) == (pytest.approx(0.02 - half), pytest.approx(0.02 + half))
    assert diff.replicates == 5 and diff.excludes_zero and diff.verdict == "better"
    assert str(diff).startswith("+2.0 points (95% interval +0.0 to +4.0, 5 paired runs): better")


def test_paired_difference_inside_the_noise_shows_no_difference():
    a = np.array([0.40, 0.45, 0.38, 0.44, 0.41])
    b = np.array([0.41, 0.43, 0.40, 0.43, 0.42])
    diff = metrics.paired_difference(a, b)
    assert diff.low < 0 < diff.high and not diff.excludes_zero and diff.verdict == "no difference shown"
    assert metrics.paired_difference(b, a).mean == pytest.approx(-diff.mean)
    worse = metrics.paired_difference(a, a - 0.05 + np.array([0.0, 0.01, -0.01, 0.0, 0.005]))
    assert worse.verdict == "worse"


@pytest.mark.parametrize("a, b", [([0.4], [0.5]), ([0.4, 0.5], [0.5]), ([], [])])
def test_paired_difference_needs_two_paired_replicates(a, b):
    with pytest.raises(ValueError, match="at least 2"):
        metrics.paired_difference(a, b)


def test_mean_interval():
    scores = np.array([0.50, 0.52, 0.48, 0.51, 0.49])
    mean, low, high = metrics.mean_interval(scores)
    half = 2.7764451051977987 * scores.std(ddof=1) / np.sqrt(5)
    assert mean == pytest.approx(0.50) and low == pytest.approx(0.50 - half) and high == pytest.approx(0.50 + half)
    assert metrics.mean_interval([0.3, 0.3]) == (0.3, 0.3, 0.3)


def test_reliability_diagram_labels_every_bin_that_holds_predictions():
    edges = np.linspace(0, 1, 11)
    accuracy = np.array([np.nan, 0.0, 0.5, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, 1.0])
    counts = np.array([0, 8, 4, 0, 0, 0, 0, 0, 0, 3])
    fig = plots.plot_reliability_diagram(edges, accuracy, edges[:-1] + 0.05, counts, ece=0.1)
    top, bottom = fig.axes
    assert [t.get_text() for t in top.texts if t.get_text()] == ["0%", "50%", "100%"]  # the all-wrong bin is labelled
    assert [t.get_text() for t in bottom.texts if t.get_text()] == ["8", "4", "3"]
