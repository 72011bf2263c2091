"""Instructor and CI tooling: the command line and what it runs.

* :mod:`~cifar_tutorial.tools.cli`: ``python -m cifar_tutorial run | train | prepare | doctor``;
* :mod:`~cifar_tutorial.tools.runner`: executing lesson notebooks in fresh kernels;
* :mod:`~cifar_tutorial.tools.doctor`: checking a machine, and staging the data (``prepare``);
* :mod:`~cifar_tutorial.tools.train`: training the course's recipe from the command line.

Tools may import the lesson helpers and the data layer; no lesson helper or
data-layer module imports anything from here (``tests/test_architecture.py``).
"""
