"""A department-year's figures: the model and its schema validation, the loaders, the view
templates read, the derived metrics of rules/metrics.yaml."""

from narrator.figures.model import Figures, figures_from_tree
from narrator.figures.load import load_figures

__all__ = ["Figures", "figures_from_tree", "load_figures"]
