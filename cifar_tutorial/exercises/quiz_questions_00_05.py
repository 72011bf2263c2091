"""The concept-quiz questions of lessons 00 to 05, in order: for each, the outcome it assesses,
its right letter and the feedback for every option (the options' texts are printed in the lessons)."""

from __future__ import annotations

from cifar_tutorial.exercises.quiz_question import Question

QUIZZES: dict[str, list[Question]] = {
    "00": [
        Question("batch, step and epoch", "D", {
            "A": "3,000 counts images seen (1,000 x 3), not steps: a step uses a whole batch.",
            "B": "20 is the steps of one epoch (1,000 / 50); how many epochs does this fit call run?",
            "C": "3 is the number of epochs; every epoch takes one step per batch of 50 images.",
            "D": "1,000 / 50 = 20 steps per epoch, times 3 epochs: one step per batch.",
        }),
        Question("the learning rate", "A", {
            "A": "steps so large that they overshoot the valley make the loss jump and rise.",
            "B": "a learning rate that is too small makes the loss fall slowly and steadily, not jump.",
            "C": "more epochs continue the same steps; the loss would still jump.",
            "D": "batch size does not make the loss climb from epoch to epoch; overshooting steps do, and "
                 "the learning rate sets their size.",
        }),
        Question("compile, fit, evaluate, predict", "C", {
            "A": "evaluate returns the loss and metrics over a data set, not one output per image.",
            "B": "fit trains the weights and returns the history of loss and metrics.",
            "C": "predict returns the model's output for each image: with a softmax layer, one "
                 "probability per class.",
            "D": "compile fixes the loss, optimizer and metrics; it computes nothing.",
        }),
        Question("why CIFAR-10 is harder than the digits", "C", {
            "A": "that is one of the lesson's reasons: 32 x 32 x 3 = 3,072 numbers per image, not 64.",
            "B": "that is one of the lesson's reasons: a cat can be any breed, pose, distance or background.",
            "C": "CIFAR-10 has more images per class (5,000 training images each in the full set) than the "
                 "digits; what makes it harder is size, variety, position and look-alike classes.",
            "D": "that is one of the lesson's reasons: a network that sees a flat list of pixels must learn "
                 "every position separately.",
        }),
        Question("the gradient and one step", "B", {
            "A": "a positive slope means the loss rises as the weight grows: a step that raises the weight "
                 "raises the loss.",
            "B": "gradient descent moves against the slope: new weight = weight - learning rate x gradient, "
                 "so a positive gradient lowers the weight.",
            "C": "a step moves the weight by the learning rate times the gradient; it never resets it.",
            "D": "every batch gives one step; the weights change many times within an epoch.",
        }),
        Question("a learning rate that is too small", "B", {
            "A": "a learning rate that is too large makes the loss jump or stall high, not fall steadily.",
            "B": "tiny steps make the loss fall steadily but slowly, as in this lesson's run at 0.0001.",
            "C": "overfitting shows as a validation loss that rises while the training loss keeps "
                 "falling; here the training loss itself falls slowly.",
            "D": "a slowly falling loss is what small steps produce; nothing suggests a wrong loss.",
        }),
    ],
    "01": [
        Question("loading the data offline", "A", {
            "A": "load_cifar10 looks at CIFAR10_ARCHIVE before it looks in data/ or downloads.",
            "B": "keras.datasets.cifar10.load_data() downloads the archive the first time, so it fails "
                 "offline unless Keras has cached it.",
            "C": "it searches no drives: it looks only in the places the lesson's loading section lists, "
                 "in their order.",
            "D": "it works offline once it knows where an archive is.",
        }),
        Question("where CIFAR-10 came from", "C", {
            "A": "the images were not taken for the data set; they were found on the web.",
            "B": "no images were generated; they are small photographs.",
            "C": "they were picked by hand from 80 Million Tiny Images, a collection gathered by web "
                 "search (Krizhevsky, 2009; see the data provenance page).",
            "D": "ImageNet is a different collection (larger images, 1,000 classes; lesson 10 uses it).",
        }),
        Question("shapes, dtypes, ranges and axes", "A", {
            "A": "the first index picks the image (the 11th), the next two run over its rows and columns, "
                 "the last picks the channel: 2 is blue in RGB order; the values are uint8, 0..255.",
            "B": "the first index picks an image, not a row; rows are the second axis.",
            "C": "the loader returns the stored uint8 values 0..255; scaling to 0..1 is a layer of each model.",
            "D": "indices count from 0 and the channels are in RGB order: 10 is the 11th image, 2 its blue channel.",
        }),
        Question("why the test set stays apart", "C", {
            "A": "a score you chose by is no longer an unbiased estimate: the best of ten settings on the test "
                 "set looks better than it will on new images.",
            "B": "training accuracy rewards memorising the training images; it cannot rank settings for new images.",
            "C": "choices are scored on validation images held out from the training set; the test set is "
                 "used once, at the end, so that its score is still an estimate for new images.",
            "D": "the sets are different samples, so they can rank settings differently, and choosing on the "
                 "test set biases its score.",
        }),
        Question("class balance and what accuracy means", "B", {
            "A": "always answering the common class also scores 90% here, without looking at an image: the "
                 "score alone does not show that the model learned anything.",
            "B": "a model that always answers the most common class scores its share of the images; count "
                 "the images per class (np.bincount) and compare an accuracy with that share, not with "
                 "one over the number of classes.",
            "C": "50% is what guessing gives only when both classes are equally common; here always "
                 "answering the common one gives 90%.",
            "D": "an accuracy belongs to one data set and its class balance; CIFAR-10's ten balanced "
                 "classes make guessing worth about 10%, not 90%.",
        }),
        Question("when labels need one-hot encoding", "A", {
            "A": "sparse_categorical_crossentropy takes the integer class directly; the course uses it.",
            "B": "categorical_crossentropy wants one-hot vectors of length 10, not integers.",
            "C": "only the categorical loss needs one-hot labels; the sparse one takes integers.",
            "D": "both losses compute the same cross-entropy; the sparse one reads integer labels.",
        }),
    ],
    "02": [
        Question("what compile fixes", "D", {
            "A": "the loss is fixed in compile.",
            "B": "the optimizer is fixed in compile.",
            "C": "the metrics are fixed in compile.",
            "D": "the number of epochs is an argument of fit, not of compile.",
        }),
        Question("why an MLP ignores spatial structure", "C", {
            "A": "a larger MLP has the same blindness to neighbours; size is not the reason.",
            "B": "Rescaling divides every pixel by 255; it does not undo a reordering.",
            "C": "after Flatten, a dense layer weighs every pixel separately and knows no neighbours: a "
                 "fixed reordering only reorders its weights.",
            "D": "dropout zeroes random units while training; it does not depend on pixel order.",
        }),
        Question("reading the training curves", "B", {
            "A": "a model too small to fit would show training accuracy that stops rising, not a "
                 "training accuracy that keeps climbing.",
            "B": "fitting the training images better while validation stops improving is how overfitting "
                 "begins (lesson 00); one run makes it a sign to watch, not a finding.",
            "C": "a learning rate that is too small makes both losses fall slowly; it does not make the "
                 "validation loss rise.",
            "D": "validation accuracy need not follow training accuracy: the model never trains on the "
                 "validation images.",
        }),
        Question("reading one prediction", "B", {
            "A": "the predicted class is the one with the largest probability: index 1 (0.60), not 3.",
            "B": "argmax of the probabilities is class 1 (0.60); the label is 3, so it is a mistake.",
            "C": "only the largest probability counts as the prediction; a runner-up earns nothing.",
            "D": "they do sum to 1: 0.05 + 0.60 + 0.05 + 0.20 + 4 x 0.02 + 2 x 0.01 = 1.00.",
        }),
    ],
    "03": [
        Question("counting a convolution's parameters", "B", {
            "A": "3·3·64 + 64 leaves out the input channels: each filter has a 3×3 kernel for every one of the 32 "
                 "input channels.",
            "B": "(3·3 weights per input channel × 32 channels) per filter, 64 filters, plus one bias per filter: "
                 "18,432 + 64 = 18,496.",
            "C": "32·64 counts one weight per pair of channels, as a 1×1 convolution would; a 3×3 kernel has 9.",
            "D": "a convolution shares its weights across positions, so its parameters do not depend on the image "
                 "size.",
        }),
        Question("the output-size formula", "C", {
            "A": "7 is floor(15 / 2); 'same' padding rounds up: ceil(15 / 2).",
            "B": "13 is a 3×3 'valid' convolution at stride 1 (15 - 3 + 1); stride 2 halves the side.",
            "C": "with 'same' padding the side is ceil(n / stride) = ceil(15 / 2) = 8; the formula with one pixel "
                 "of padding agrees: floor((15 + 2 - 3) / 2) + 1 = 8.",
            "D": "'same' keeps the size only at stride 1; at stride 2 the side halves, rounded up.",
        }),
        Question("the receptive field", "A", {
            "A": "the first 3×3 convolution sees 3×3 pixels; the second adds (3 - 1) × 1 = 2 more: 5×5.",
            "B": "3×3 is one convolution's field; the second layer's 3×3 window covers 3×3 outputs of the first, "
                 "each of which sees 3×3 pixels.",
            "C": "6 adds the two kernels' sides; each layer widens the field by kernel - 1, not by kernel.",
            "D": "9 multiplies the two kernels' sides; fields grow by addition, (kernel - 1) per layer at stride 1.",
        }),
        Question("what max pooling computes", "A", {
            "A": "max pooling keeps the largest value of each 2×2 patch, here 5, one number per patch and channel.",
            "B": "1.75 is the patch's mean: average pooling, not max pooling.",
            "C": "7 is the sum of the patch; pooling keeps one value of it, the largest.",
            "D": "pooling turns each 2×2 patch into one value, which is why it halves height and width.",
        }),
    ],
    "04": [
        Question("reading a feature map", "D", {
            "A": "a dark map is a normal outcome of ReLU, not an error.",
            "B": "the colour scale of each map is its own; dark means no positive response, not a dark image.",
            "C": "every filter has its kernel weights and a bias; the response is what is zero.",
            "D": "after ReLU, a map is zero where the filter's response is at most zero: it found "
                 "nothing it responds to in this image (or the unit has died).",
        }),
        Question("comparing the CNNs with the MLP", "A", {
            "A": "the same images, optimizer and epochs for every model, scored on validation images: any "
                 "difference then comes from the architectures (and chance, which a replicated study measures).",
            "B": "training each until it looks good gives each a different budget, and choosing on the test set "
                 "biases the score it reports.",
            "C": "more epochs for one model is a different training budget: the comparison would mix the "
                 "architecture with the extra training.",
            "D": "training accuracy rewards memorising; the CNNs and the MLP are compared on images they did "
                 "not train on.",
        }),
        Question("the generalization gap", "D", {
            "A": "a larger gap does not mean more learning: the validation accuracy is what carries over to new "
                 "images.",
            "B": "the models trained for the same epochs; the gap compares each model with itself.",
            "C": "all the models were judged on the same validation images; one model's gap cannot show they are "
                 "broken.",
            "D": "training accuracy far above validation accuracy means the model fits its training images in ways "
                 "that do not carry over: the first sign of memorising, which lesson 05 takes up.",
        }),
        Question("reading the filter pictures", "B", {
            "A": "the printed change measures how far the weights moved: they did change.",
            "B": "a cosine similarity near 1 means a filter's pattern kept its direction; what changed is mostly "
                 "small turns and a change of size, and a drawing scaled to each filter's own range hides the size.",
            "C": "both rows come from the same layer: the bottom row was saved before training, the top after.",
            "D": "the drawing shows the weights themselves, not the feature maps they make from an image.",
        }),
    ],
    "05": [
        Question("an effect or noise?", "C", {
            "A": "two identical runs already ended 4 points apart, so chance alone moves a run that far; "
                 "3 points over one run cannot be told from chance.",
            "B": "nothing here points to harm either: two identical runs already differ by more than this "
                 "pair. What would it take to decide?",
            "C": "one pair of runs decides nothing: compare paired runs over several seeds with a 95% "
                 "interval on the mean difference, as the studies do.",
            "D": "the test set must not decide, and one run on it has the same noise.",
        }),
        Question("what each remedy does", "C", {
            "A": "dropout changes the model while it trains (random units set to zero), not the images.",
            "B": "an L2 penalty adds the size of the weights to the loss; the images are unchanged.",
            "C": "augmentation layers flip and shift each training image anew at every epoch, so the model "
                 "seldom sees the same picture twice; at prediction time they do nothing.",
            "D": "early stopping chooses when training ends; the images are unchanged.",
        }),
        Question("what restore_best_weights does", "B", {
            "A": "without restore_best_weights the model keeps the last epoch's weights; with it, Keras 3 "
                 "restores the best epoch's even when training ran to the end.",
            "B": "restore_best_weights rolls the model back to the epoch with the best monitored value, "
                 "here the lowest validation loss, whether or not training stopped early.",
            "C": "patience counts how long to wait before stopping; it does not choose the weights.",
            "D": "a run that never stops early is normal: the callback simply does not stop it.",
        }),
        Question("the .keras format", "C", {
            "A": "a .keras file holds more than the weights: the architecture too.",
            "B": "no Python source is stored: the file describes the layers and holds their weights, and "
                 "the code that defines them comes from Keras.",
            "C": "one zip archive with the architecture, the weights and the optimizer state.",
            "D": "it is a portable zip archive: another machine with Keras 3 reads it back with "
                 "keras.saving.load_model.",
        }),
    ],
}
