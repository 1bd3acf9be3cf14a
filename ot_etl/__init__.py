"""ot-etl: move data in and out of Order Time Inventory through its REST API."""

__version__ = "0.1.0"
