"""NomadCloud — the cloud service platform of a digital nomad demonstration zone."""

__version__ = "0.1.0"
