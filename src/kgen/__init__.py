"""kgen: one blueprint in, reviewed Kafka infrastructure code out."""

from __future__ import annotations

__version__ = "0.1.0"
