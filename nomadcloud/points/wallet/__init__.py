"""The person's wallet: balances, lots, history, monthly statements, and exchanging work
units for points (services.py), for the wallet page and the ``/points/wallet`` API."""
