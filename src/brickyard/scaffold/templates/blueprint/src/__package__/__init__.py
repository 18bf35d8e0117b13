"""Business logic of the orders project. Nothing here imports dbutils: it runs anywhere."""

__version__ = "0.3.0"
