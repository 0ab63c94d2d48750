"""The Kafka lab: real Apache Kafka jars, each node a host of its own in a network namespace."""
