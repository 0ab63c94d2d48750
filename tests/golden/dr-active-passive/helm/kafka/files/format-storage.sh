#!/bin/sh
# Formats this node's KRaft storage on first start and seeds the SCRAM users from the
# mounted Secret (one file per user, named after the user). A formatted node is left
# alone, so this is safe on every restart.
set -eu
config="/etc/kafka/nodes/${POD_NAME}.properties"
set --
if [ -d /etc/kafka/scram ]; then
  for user_file in /etc/kafka/scram/*; do
    [ -f "$user_file" ] || continue
    user=$(basename "$user_file")
    password=$(cat "$user_file")
    set -- "$@" --add-scram "SCRAM-SHA-512=[name=${user},iterations=${SCRAM_ITERATIONS},password=${password}]"
  done
fi
exec /opt/kafka/bin/kafka-storage.sh format --ignore-formatted --cluster-id "$CLUSTER_ID" --config "$config" "$@"
