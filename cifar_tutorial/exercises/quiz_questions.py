"""The questions of the lessons' concept quizzes (:mod:`cifar_tutorial.exercises.quizzes`): for
each lesson, in order, the outcome a question assesses, its right letter, and the feedback for
every option. The options' texts are printed in the lessons.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping


@dataclasses.dataclass(frozen=True)
class Question:
    """One question: the outcome it assesses, the letter of the right option, and the
    feedback for every option (for the right one, why it is right)."""

    outcome: str
    right: str
    feedback: Mapping[str, str]


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
        Question("reading a confusion matrix", "B", {
            "A": "that would be the matrix normalised by columns (predicted classes).",
            "B": "with true classes as rows and rows summing to 1, the cell is the share of true 8s "
                 "predicted as 9.",
            "C": "normalised by rows, each cell is a share of one true class, not of all images.",
            "D": "that is the cell in the row of true 9s and the column of predicted 8s.",
        }),
        Question("why CIFAR-10 is harder than the digits", "C", {
            "A": "that is one of the lesson's reasons: 32 x 32 x 3 = 3,072 numbers per image, not 64.",
            "B": "that is one of the lesson's reasons: a cat can be any breed, pose, distance or background.",
            "C": "CIFAR-10 has more images per class (5,000 training images each in the full set) than the "
                 "digits; what makes it harder is size, variety, position and look-alike classes.",
            "D": "that is one of the lesson's reasons: a network that sees a flat list of pixels must learn "
                 "every position separately.",
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
    ],
    "06": [
        Question("the learning-rate schedule", "B", {
            "A": "warm-up starts at a tenth of the peak and rises from there, so the first step is one of "
                 "the smaller ones, not the largest.",
            "B": "warm-up raises the rate to its peak, then the cosine lowers it to 1% of the peak.",
            "C": "the cosine decay ends at 1% of the peak at the last step: the smallest rate, not the largest.",
            "D": "a schedule changes the rate at every step.",
        }),
        Question("batch normalization's moving average", "C", {
            "A": "2.0 would replace the average by the batch's mean; momentum 0.9 keeps 90% of the old value.",
            "B": "1.8 gives the batch the weight 0.9; the old average gets momentum 0.9, the batch 1 - 0.9.",
            "C": "0.9 · 0.0 + (1 - 0.9) · 2.0 = 0.2: the average moves a tenth of the way towards the batch.",
            "D": "the moving averages are updated at every training step; prediction only uses them.",
        }),
        Question("fit's logged accuracy and the finished model's", "B", {
            "A": "this model has no dropout; what differs is how batch normalization normalises.",
            "B": "in training, batch normalization uses each batch's own statistics while the weights "
                 "still change; evaluate uses the moving averages, which can describe the layers' inputs worse.",
            "C": "the table's training accuracy is measured on the training images, in inference mode.",
            "D": "nothing was saved or reloaded: the same model in memory gives both numbers.",
        }),
        Question("weight decay", "A", {
            "A": "each step multiplies the weight by slightly less than 1 (here by 1 - learning rate x 0.0005), "
                 "so weights without a gradient drift towards zero.",
            "B": "weight decay acts at every step, whatever the gradient: it shrinks each weight a little.",
            "C": "weight decay shrinks a weight by a small fraction per step; setting it to zero is pruning.",
            "D": "the decay only shrinks weights; nothing makes up for it but the gradient of the loss.",
        }),
        Question("momentum", "D", {
            "A": "momentum adds up past gradients: with a steady gradient the running direction grows.",
            "B": "momentum 0.9 keeps 90% of the running direction; it does not scale a step down to a tenth.",
            "C": "where successive gradients agree, momentum makes the steps longer, not just straighter.",
            "D": "the running sum of gradients with factor 0.9 tends to 1 / (1 - 0.9) = 10 times one gradient, "
                 "so steady stretches are crossed up to ten times faster.",
        }),
    ],
    "07": [
        Question("label smoothing's targets", "B", {
            "A": "0.9 takes the smoothing from the true class but forgets that an equal share of it, 0.1 / 10, "
                 "goes back to every class, the true one included.",
            "B": "(1 - 0.1) · 1 + 0.1 / 10 = 0.91: the smoothing is spread evenly over all ten classes, the true "
                 "class included, and every other class gets 0.01.",
            "C": "0.99 spreads only a tenth of the smoothing; the true class keeps 1 - 0.1 and gains 0.1 / 10.",
            "D": "1.0 is the target without smoothing; label smoothing lowers it so that the model is not pushed "
                 "towards full confidence.",
        }),
        Question("reading an ablation", "C", {
            "A": "an interval that contains zero does not show that the ingredient is useless; more runs, "
                 "or another regime, might show an effect.",
            "B": "to show harm the interval would have to lie above zero (the recipe better without it).",
            "C": "an interval containing zero is 'no difference shown' in five runs, in this regime: "
                 "not proof of no effect.",
            "D": "a wide interval around zero is what a small or absent effect gives with five runs.",
        }),
        Question("choosing on validation data", "A", {
            "A": "a choice made on the validation set stands, and the test score is reported whatever it "
                 "is; choosing on it would make the test score optimistic.",
            "B": "dropping it because of the test score is choosing on the test set.",
            "C": "picking the better test score makes that score an optimistic, biased estimate.",
            "D": "retraining until validation and test agree tunes the model to the test set.",
        }),
    ],
    "08": [
        Question("McNemar's test", "B", {
            "A": "images both models get right, or both wrong, cannot tell them apart.",
            "B": "only the images exactly one model gets right tell the two apart; the test asks how "
                 "lopsided their split is.",
            "C": "images both get wrong say nothing about which is better.",
            "D": "two accuracies drop the pairing; the paired test is more sensitive.",
        }),
        Question("a confusion matrix by columns", "D", {
            "A": "recall is the diagonal of the matrix normalised by rows (true classes).",
            "B": "F1 combines precision and recall; no single normalisation shows it.",
            "C": "support is a count of true images per class, not a share.",
            "D": "normalised by columns, the diagonal is the share of each predicted class that is "
                 "right: precision.",
        }),
        Question("a tf.data pipeline", "A", {
            "A": "cache() keeps the decoded images in memory after the first pass, so later passes read "
                 "no files.",
            "B": "shuffling is a separate step (shuffle() or the loader's shuffle=True).",
            "C": "that is prefetch().",
            "D": "image_dataset_from_directory resizes, with image_size.",
        }),
        Question("the .keras format", "C", {
            "A": "a .keras file holds more than the weights: the architecture too.",
            "B": "no Python source is stored: the file describes the layers and holds their weights, and "
                 "the code that defines them comes from Keras.",
            "C": "one zip archive with the architecture, the weights and the optimizer state.",
            "D": "it is a portable zip archive: another machine with Keras 3 reads it back with "
                 "keras.saving.load_model.",
        }),
        Question("which mistakes to inspect", "C", {
            "A": "a random sample of mistakes shows what is typical but is easily dominated by near misses "
                 "between look-alike classes.",
            "B": "the least confident mistakes are near guesses; they say little about what the model "
                 "believes wrongly.",
            "C": "the mistakes it was most sure of show what it learned wrongly, such as a background or a "
                 "look-alike class taken for the object.",
            "D": "accuracy counts mistakes; only looking at them shows how they happen.",
        }),
    ],
    "09": [
        Question("symbolic tensors in the Functional API", "C", {
            "A": "no data has been given yet: keras.Input only describes the shape of what will come.",
            "B": "the weights belong to the layer (layer.weights); calling it returns a new tensor.",
            "C": "x has a shape, (None, 32, 32, 16), and a dtype, and records which layer made it from which "
                 "input; keras.Model follows that record from the outputs back to the inputs.",
            "D": "calling a layer returns its output tensor; the layer stays one object, reused if called again.",
        }),
        Question("the shapes layers.Add needs", "A", {
            "A": "Add sums element by element, so height, width and channels must all match; that is why a block "
                 "that halves the maps and doubles the filters projects its shortcut with a strided 1x1 convolution.",
            "B": "channels alone are not enough: a block with strides=2 halves the height and width too.",
            "C": "height and width alone are not enough: the channels are summed one by one as well.",
            "D": "Keras resizes nothing: it raises an error for tensors of different shapes.",
        }),
        Question("a residual block that learns no change", "D", {
            "A": "zero would be the output of a plain block whose convolutions give zero; the shortcut adds x back.",
            "B": "relu(y) drops the shortcut; the block computes relu(x + y).",
            "C": "nothing halves x: the shortcut adds it unchanged (there is no projection when the shapes match).",
            "D": "relu(x + 0) = relu(x) = x, because x is never negative: a block can leave its input as it is, "
                 "so extra blocks need not make the network harder to fit.",
        }),
        Question("He et al.'s degradation problem", "B", {
            "A": "the opposite: the deeper plain stack fitted its training images worse (their Figure 1).",
            "B": "the 56-layer plain stack had higher training error than the 20-layer one, so the problem was "
                 "optimization, not overfitting; with shortcuts the deeper networks did better.",
            "C": "their Figure 1 shows a clear gap between the two depths, for training and test error alike.",
            "D": "overfitting lowers training error; the deeper stack's training error was higher too.",
        }),
    ],
    "10": [
        Question("reading the learning-curve study", "A", {
            "A": "feature extraction minus from scratch excluded zero only at 5 labelled images per class.",
            "B": "at most sizes the study's intervals include zero: no difference shown.",
            "C": "at 100 per class the interval includes zero.",
            "D": "read the study's verdict lines again: at one size an interval did exclude zero.",
        }),
        Question("a keras.applications model", "D", {
            "A": "MobileNetV2 was trained on pixels scaled to -1..1; raw 0..255 would not match (the "
                 "lesson's zoo_model does the scaling before its base).",
            "B": "CIFAR-10's statistics are not what the ImageNet weights were trained with.",
            "C": "its ImageNet weights were trained on larger inputs than 32 x 32; section 5 says which sizes.",
            "D": "resize to a size its weights support (here 96 x 96) and apply its own "
                 "preprocess_input (0..255 to -1..1).",
        }),
    ],
    "11": [
        Question("an all-dark heat map", "B", {
            "A": "the model did see the image and gave it a class; the map says only where, at this layer, "
                 "the evidence for that class was.",
            "B": "at this layer the feature maps, weighed by their gradients, add up to nothing positive "
                 "anywhere: no evidence for the class at this layer (later layers may still have raised it).",
            "C": "the map is computed from feature maps and gradients, not from the image's brightness.",
            "D": "an all-dark map is a valid Grad-CAM result: the ReLU keeps only positive evidence, and "
                 "here there was none.",
        }),
        Question("choosing the layer", "A", {
            "A": "the last layer's 3 x 3 maps are coarse on a 32 x 32 image; of the layers with maps of at least "
                 "6 x 6, the chosen one is the last taken after batch normalization and ReLU, the features the "
                 "next block receives.",
            "B": "accuracy belongs to the whole model; the layer Grad-CAM reads does not change it.",
            "C": "Grad-CAM works on any layer with feature maps; the default is the last such layer.",
            "D": "every layer between the input and the loss has gradients; that is how it is trained.",
        }),
        Question("what a heat map shows", "B", {
            "A": "one map shows one image: a pattern over many images, and a test of it, would be needed "
                 "to say what the model does in general.",
            "B": "a map shows where the evidence for the class was in this image, not what the network "
                 "understood: a question to test on more images.",
            "C": "a model that leans on backgrounds can still be accurate on images like its training "
                 "images; that is not a fault in the code.",
            "D": "Grad-CAM computed what it computes; a map on the background is a finding about the model, "
                 "not an error of the method.",
        }),
    ],
}
