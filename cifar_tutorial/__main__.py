"""``python -m cifar_tutorial``: the course's command line (:mod:`cifar_tutorial.tools.cli`)."""

import sys

from cifar_tutorial.tools.cli import main

if __name__ == "__main__":
    sys.exit(main())
