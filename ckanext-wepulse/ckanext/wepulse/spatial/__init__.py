"""Where datasets are: their spatial coverage read safely, and the municipalities it covers."""
