#!/bin/sh
# Managed by kgen; do not edit. The same file runs on an Ansible host and in the Helm
# Job's pod (the apache/kafka image has a POSIX sh and awk, neither Python nor bash).
#
# Brings one Kafka cluster's topics and ACLs to the state kgen planned:
#   - creates a missing topic with its partitions, replication factor and config;
#   - grows a topic that has fewer partitions than planned (Kafka cannot shrink one);
#   - sets every planned topic config whose value differs;
#   - adds every planned ACL binding that is missing;
#   - removes a managed principal's binding that the plan no longer lists, only with
#     --delete-acls, and deletes a topic only when it is named with --delete-topic.
# What it cannot or may not change (fewer partitions, another replication factor, an
# override the plan does not list, a stale binding) it reports as a note.
#
# usage: kgen-reconcile-topics-acls.sh --state FILE --kafka-bin DIR --command-config FILE
#          --bootstrap-server HOST:PORT[,...] [--wait-seconds N] [--delete-acls]
#          [--delete-topic NAME]...
# Prints one JSON object on stdout: {"actions": [...], "changed": bool, "notes": [...]}.
set -eu

state="" bin="" command_config="" bootstrap="" wait_seconds=0 delete_acls=false
work=$(mktemp -d "${TMPDIR:-/tmp}/kgen-reconcile.XXXXXX")
trap 'rm -rf "$work"' EXIT
: >"$work/delete-topics"

fail() {
  printf "kgen-reconcile-topics-acls: %s\n" "$*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --state) state=$2; shift 2 ;;
    --kafka-bin) bin=$2; shift 2 ;;
    --command-config) command_config=$2; shift 2 ;;
    --bootstrap-server) bootstrap=$2; shift 2 ;;
    --wait-seconds) wait_seconds=$2; shift 2 ;;
    --delete-acls) delete_acls=true; shift ;;
    --delete-topic) printf 'delete\t%s\n' "$2" >>"$work/delete-topics"; shift 2 ;;
    --delete-topic=*) printf 'delete\t%s\n' "${1#--delete-topic=}" >>"$work/delete-topics"; shift ;;
    *) fail "unknown argument $1" ;;
  esac
done
[ -n "$state" ] && [ -n "$bin" ] && [ -n "$command_config" ] && [ -n "$bootstrap" ] ||
  fail "--state, --kafka-bin, --command-config and --bootstrap-server are required"
[ -r "$state" ] || fail "cannot read the state file $state"

# One Kafka tool against this cluster; its output goes to $work/out, a failure stops the run.
kafka() {
  tool=$1
  shift
  if ! "$bin/$tool" --bootstrap-server "$bootstrap" --command-config "$command_config" "$@" \
    </dev/null >"$work/out" 2>"$work/err"; then
    cat "$work/err" >&2
    fail "$tool $* failed"
  fi
}

waited=0
until "$bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --command-config "$command_config" \
  --list </dev/null >/dev/null 2>"$work/err"; do
  if [ "$waited" -ge "$wait_seconds" ]; then
    cat "$work/err" >&2
    fail "the cluster is not reachable at $bootstrap"
  fi
  sleep 5
  waited=$((waited + 5))
done

# --- the cluster as it is, in the state file's own line format ---------------------------
kafka kafka-topics.sh --describe --exclude-internal
cp "$work/out" "$work/topics.out"
kafka kafka-configs.sh --describe --entity-type topics
cp "$work/out" "$work/configs.out"
kafka kafka-acls.sh --list
cp "$work/out" "$work/acls.out"

awk -F '\t' -v OFS='\t' '
  FILENAME == ARGV[1] && /PartitionCount:/ {
    name = ""; count = ""; factor = ""
    for (i = 1; i <= NF; i++) {
      field = $i
      sub(/^ +/, "", field)
      if (field ~ /^Topic: /) name = substr(field, 8)
      else if (field ~ /^PartitionCount: /) count = substr(field, 17)
      else if (field ~ /^ReplicationFactor: /) factor = substr(field, 20)
    }
    print "topic", name, count, factor
    next
  }
  FILENAME == ARGV[2] && /^Dynamic configs for topic / {
    topic = substr($0, 27)
    sub(/ are:$/, "", topic)
    next
  }
  FILENAME == ARGV[2] && /^  [^ ]/ && topic != "" {
    item = substr($0, 3)
    cut = index(item, " sensitive=")
    if (cut) item = substr(item, 1, cut - 1)
    print "config", topic, item
    next
  }
  FILENAME == ARGV[3] && /ResourcePattern\(/ {
    line = $0
    sub(/.*ResourcePattern\(resourceType=/, "", line)
    type = line; sub(/, name=.*/, "", type)
    name = line; sub(/^[^,]*, name=/, "", name); sub(/, patternType=.*/, "", name)
    pattern = line; sub(/.*, patternType=/, "", pattern); sub(/\).*/, "", pattern)
    next
  }
  FILENAME == ARGV[3] && /\(principal=/ {
    line = $0
    principal = line; sub(/.*\(principal=/, "", principal); sub(/, host=.*/, "", principal)
    operation = line; sub(/.*, operation=/, "", operation); sub(/, permissionType=.*/, "", operation)
    permission = line; sub(/.*, permissionType=/, "", permission); sub(/\).*/, "", permission)
    print "acl", principal, permission, operation, type, name, pattern
  }
' "$work/topics.out" "$work/configs.out" "$work/acls.out" >"$work/current"

# --- the difference, as one command per line: the plan is in $state, the cluster in current
awk -F '\t' -v OFS='\t' -v delete_acls="$delete_acls" '
  function norm(text) { text = toupper(text); gsub(/[-_]/, "", text); return text }
  # IDEMPOTENT_WRITE -> IdempotentWrite: the spelling kafka-acls looks up first.
  function pascal(text,    parts, n, i, out) {
    n = split(tolower(text), parts, "_")
    out = ""
    for (i = 1; i <= n; i++) out = out toupper(substr(parts[i], 1, 1)) substr(parts[i], 2)
    return out
  }
  function describe(line,    p) { split(line, p, "\t"); return p[2] " " p[1] " " p[3] " on " p[4] " " p[5] " (" p[6] ")" }
  function acl_key(f) { return f[2] SUBSEP norm(f[3]) SUBSEP norm(f[4]) SUBSEP norm(f[5]) SUBSEP f[6] SUBSEP norm(f[7]) }
  FILENAME == ARGV[1] && $1 == "delete" { doomed[++doomed_count] = $2; next }
  FILENAME == ARGV[2] && $1 == "topic" { have_partitions[$2] = $3; have_factor[$2] = $4; next }
  FILENAME == ARGV[2] && $1 == "config" {
    cut = index($3, "=")
    have_config[$2, substr($3, 1, cut - 1)] = substr($3, cut + 1)
    have_keys[$2] = have_keys[$2] " " substr($3, 1, cut - 1)
    next
  }
  FILENAME == ARGV[2] && $1 == "acl" {
    split($0, f, "\t")
    key = acl_key(f)
    if (!(key in have_acl)) have_order[++have_count] = key
    have_acl[key] = 1
    type = tolower($5)
    gsub(/_/, "-", type)
    have_line[key] = $2 OFS tolower($3) OFS pascal($4) OFS type OFS $6 OFS tolower($7)
    next
  }
  FILENAME == ARGV[3] && $1 == "principal" { managed[$2] = 1; next }
  FILENAME == ARGV[3] && $1 == "topic" {
    order[++topics] = $2; want_partitions[$2] = $3; want_factor[$2] = $4; next
  }
  FILENAME == ARGV[3] && $1 == "config" {
    cut = index($3, "=")
    want_config[$2, substr($3, 1, cut - 1)] = substr($3, cut + 1)
    want_keys[$2] = want_keys[$2] " " substr($3, 1, cut - 1)
    next
  }
  FILENAME == ARGV[3] && $1 == "acl" {
    split($0, f, "\t")
    key = acl_key(f)
    if (!(key in want_acl)) { want_acl[key] = 1; acls[++acl_count] = key; want_line[key] = $2 OFS $3 OFS $4 OFS $5 OFS $6 OFS $7 }
    next
  }
  END {
    for (t = 1; t <= topics; t++) {
      name = order[t]
      if (!(name in have_partitions)) {
        print "create", name, want_partitions[name], want_factor[name]
        continue
      }
      if (have_partitions[name] + 0 < want_partitions[name] + 0)
        print "grow", name, want_partitions[name]
      else if (have_partitions[name] + 0 > want_partitions[name] + 0)
        print "note", "topic " name " has " have_partitions[name] " partitions; Kafka cannot shrink it to " want_partitions[name]
      if (have_factor[name] != want_factor[name])
        print "note", "topic " name " has replication factor " have_factor[name] "; the plan says " want_factor[name] " (a reassignment changes it, the reconciler does not)"
      n = split(want_keys[name], keys, " ")
      for (k = 1; k <= n; k++)
        if (!((name, keys[k]) in have_config) || have_config[name, keys[k]] != want_config[name, keys[k]])
          print "set", name, keys[k] "=" want_config[name, keys[k]]
      n = split(have_keys[name], keys, " ")
      for (k = 1; k <= n; k++)
        if (!((name, keys[k]) in want_config))
          print "note", "topic " name " overrides " keys[k] "=" have_config[name, keys[k]] ", which the plan does not set; it is left as it is"
    }
    for (d = 1; d <= doomed_count; d++) if (doomed[d] in have_partitions) print "delete", doomed[d]
    for (a = 1; a <= acl_count; a++) if (!(acls[a] in have_acl)) print "add", want_line[acls[a]]
    for (h = 1; h <= have_count; h++) {
      key = have_order[h]
      split(key, part, SUBSEP)
      if (key in want_acl || !(part[1] in managed)) continue
      if (delete_acls == "true") print "remove", have_line[key]
      else print "note", "ACL " describe(have_line[key]) " is not in the plan; run with --delete-acls to remove it"
    }
  }
' "$work/delete-topics" "$work/current" "$state" >"$work/commands"

# --- apply the difference ------------------------------------------------------------------
: >"$work/actions"
: >"$work/notes"
tab=$(printf '\t')
while IFS="$tab" read -r verb a b c d e f; do
  case "$verb" in
    create)
      # The topic's planned config goes into --create itself, so it never exists without it.
      set -- --create --topic "$a" --partitions "$b" --replication-factor "$c"
      while IFS="$tab" read -r kind topic item; do
        if [ "$kind" = config ] && [ "$topic" = "$a" ]; then set -- "$@" --config "$item"; fi
      done <"$state"
      kafka kafka-topics.sh "$@"
      printf "%s\n" "create topic $a" >>"$work/actions" ;;
    grow)
      kafka kafka-topics.sh --alter --topic "$a" --partitions "$b"
      printf "%s\n" "grow topic $a to $b partitions" >>"$work/actions" ;;
    set)
      # A file, not --add-config: a list value (compact,delete) holds commas.
      printf '%s\n' "$b" >"$work/config"
      kafka kafka-configs.sh --alter --entity-type topics --entity-name "$a" --add-config-file "$work/config"
      printf "%s\n" "set $b on topic $a" >>"$work/actions" ;;
    delete)
      kafka kafka-topics.sh --delete --topic "$a"
      printf "%s\n" "delete topic $a" >>"$work/actions" ;;
    add | remove)
      # principal permission operation resource-type resource-name pattern-type
      if [ "$e" = kafka-cluster ] && [ "$d" = cluster ]; then resource=--cluster; else resource="--$d=$e"; fi
      if [ "$verb" = add ]; then change=--add; else change="--remove --force"; fi
      # shellcheck disable=SC2086 # $change is one or two words on purpose
      kafka kafka-acls.sh $change "--$b-principal=$a" --operation "$c" "$resource" --resource-pattern-type "$f"
      printf "%s\n" "$verb ACL $b $a $c on $d $e ($f)" >>"$work/actions" ;;
    note) printf "%s\n" "$a" >>"$work/notes" ;;
    *) fail "unknown planned change $verb" ;;
  esac
done <"$work/commands"

# --- report ----------------------------------------------------------------------------------
awk '
  function quote(text) { gsub(/\\/, "\\\\", text); gsub(/"/, "\\\"", text); gsub(/\t/, "\\t", text); return "\"" text "\"" }
  FILENAME == ARGV[1] { actions = actions (actions == "" ? "" : ", ") quote($0); changed = "true"; next }
  { notes = notes (notes == "" ? "" : ", ") quote($0) }
  END { printf "{\"actions\": [%s], \"changed\": %s, \"notes\": [%s]}\n", actions, changed == "" ? "false" : "true", notes }
' "$work/actions" "$work/notes"
