"""The concept-quiz questions of lessons 06 to 11, in order: for each, the outcome it assesses,
its right letter and the feedback for every option (the options' texts are printed in the lessons)."""

from __future__ import annotations

from cifar_tutorial.exercises.quiz_question import Question

QUIZZES: dict[str, list[Question]] = {
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
        Question("which mistakes to inspect", "C", {
            "A": "a random sample of mistakes shows what is typical but is easily dominated by near misses "
                 "between look-alike classes.",
            "B": "the least confident mistakes are near guesses; they say little about what the model "
                 "believes wrongly.",
            "C": "the mistakes it was most sure of show what it learned wrongly, such as a background or a "
                 "look-alike class taken for the object.",
            "D": "accuracy counts mistakes; only looking at them shows how they happen.",
        }),
        Question("F1 score", "B", {
            "A": "F1 is the harmonic mean of precision and recall, not their mean: 2PR/(P+R).",
            "B": "2 x 0.9 x 0.3 / (0.9 + 0.3) = 0.45: the harmonic mean stays near the weaker of the two.",
            "C": "0.27 is the product; F1 divides twice the product by the sum.",
            "D": "F1 punishes the weaker of the two; it is never the larger one unless they are equal.",
        }),
        Question("reading McNemar's p-value", "C", {
            "A": "a large p-value says the test images do not show a difference, not that none exists.",
            "B": "p is a probability under the assumption of equal accuracy, not a share of images.",
            "C": "p = 0.30 means a split this lopsided would be common if the two were equally accurate: no "
                 "difference shown beyond chance, which is not proof that they are equal.",
            "D": "a p-value is not an effect size; the accuracies themselves give the difference.",
        }),
        Question("label smoothing and calibration", "B", {
            "A": "label smoothing trains toward less than 1 on the true class; it discourages, not "
                 "encourages, higher confidence.",
            "B": "the targets cap the confidence it is trained toward (0.82 in the recipe), so its top "
                 "probabilities are lower; against over-confidence, and it can overshoot into "
                 "under-confidence.",
            "C": "the targets differ, so the probabilities it learns differ too.",
            "D": "no training target guarantees calibration; it is measured, with the reliability diagram "
                 "and the ECE.",
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
            "D": "relu(x + 0) = relu(x) = x, because x is never negative: a block with an identity shortcut "
                 "can leave its input as it is, He et al.'s argument that extra blocks need not make the "
                 "network harder to fit.",
        }),
        Question("He et al.'s degradation problem", "B", {
            "A": "the opposite: the deeper plain stack fitted its training images worse (their Figure 1).",
            "B": "the 56-layer plain stack had higher training error than the 20-layer one, so the problem was "
                 "optimization, not overfitting; with shortcuts the deeper networks did better.",
            "C": "their Figure 1 shows a clear gap between the two depths, for training and test error alike.",
            "D": "overfitting lowers training error; the deeper stack's training error was higher too.",
        }),
        Question("what Sequential cannot express", "B", {
            "A": "a stack of convolutions and pooling is a list of layers: Sequential writes it.",
            "B": "adding a block's input to its output needs one tensor to feed two paths and a layer "
                 "with two inputs: the Functional API, not a list.",
            "C": "Rescaling is an ordinary first layer of a Sequential model, as in every lesson so far.",
            "D": "Dropout is one more layer in a list; Sequential holds it.",
        }),
        Question("reading the residual study", "A", {
            "A": "an interval wholly above zero is 'better' by the course's rule, for this regime "
                 "(20 layers, 3 epochs, this training set).",
            "B": "'no difference shown' is for an interval that contains zero; this one does not.",
            "C": "the study tried one depth and one training length; it says nothing about others.",
            "D": "the difference is residual minus plain, so a positive interval favours the residual "
                 "network.",
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
        Question("fine-tuning's settings", "B", {
            "A": "trainable (set before compiling) decides which weights change; training=False does not "
                 "freeze anything.",
            "B": "training=False keeps the base's batch normalization in inference mode: its pre-trained "
                 "moving statistics, not those of small noisy batches; the low learning rate keeps the "
                 "pre-trained weights from being overwritten.",
            "C": "the head's weights get gradients whatever the base's mode.",
            "D": "the base has no dropout; the flag changes how batch normalization normalises.",
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
