"""Sphinx configuration of the course website (built by ``python -m cifar_tutorial site``).

The builder (:mod:`cifar_tutorial.tools.site`) copies ``notebooks/`` and the pages of
``docs/`` into one temporary source folder and runs Sphinx there with this file. The
notebooks are rendered as committed, with their stored outputs: nothing is executed
(``nb_execution_mode = "off"``). Everything the pages load comes with the theme's
Python packages, so the site builds and reads offline.
"""

from cifar_tutorial.config import BRANCH, REPOSITORY, __version__

project = "cifar-tutorial"
author = "the cifar-tutorial authors"
copyright = "the cifar-tutorial authors; code and notebooks under the MIT licence"
version = release = __version__
html_title = f"cifar-tutorial {__version__}"

extensions = ["myst_nb"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "conf.py"]
root_doc = "index"
language = "en"

# MyST-NB: render the committed outputs; merge each cell's stream outputs into one block
# (Keras prints one line per epoch: one block per fit); keep stderr out of the page.
nb_execution_mode = "off"
nb_merge_streams = True
nb_output_stderr = "remove"
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type"]

html_theme = "sphinx_book_theme"
html_static_path = []
html_context = {"default_mode": "light"}  # the theme's light/dark switch starts on light
html_last_updated_fmt = None
html_copy_source = True  # the download button serves each notebook's .ipynb from _sources/
html_theme_options = {
    "repository_url": f"https://github.com/{REPOSITORY}",
    "repository_branch": BRANCH,
    "path_to_docs": "notebooks",
    "use_repository_button": True,
    "use_download_button": True,
    "use_edit_page_button": False,
    "use_source_button": False,
    "use_issues_button": False,
    "launch_buttons": {
        "colab_url": "https://colab.research.google.com",
        "binderhub_url": "https://mybinder.org",
        "notebook_interface": "jupyterlab",
    },
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "extra_footer": f"<p>cifar-tutorial {__version__}</p>",
}
