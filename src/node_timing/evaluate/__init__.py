"""Evaluation: from an inventory's variables to the values the components actually run."""
