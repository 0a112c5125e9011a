"""A department-year's figures: the model and its schema validation, the loaders, the view
templates read, the derived metrics of rules/metrics.yaml."""
