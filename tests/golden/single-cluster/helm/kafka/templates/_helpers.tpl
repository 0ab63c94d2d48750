{{/*
Labels of one object: the values' selector labels (given as .extra) win over the
blueprint's common labels; Helm's own labels are added last.
*/}}
{{- define "kafka.labels" -}}
{{- $labels := merge (dict) (.extra | default dict) .root.Values.commonLabels -}}
{{- $_ := set $labels "app.kubernetes.io/managed-by" .root.Release.Service -}}
{{- $_ := set $labels "app.kubernetes.io/version" .root.Chart.AppVersion -}}
{{- $_ := set $labels "helm.sh/chart" (printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_") -}}
{{- toYaml $labels -}}
{{- end }}

{{/* Pod-level security context of the restricted Pod Security profile. */}}
{{- define "kafka.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
fsGroup: {{ .Values.podSecurity.fsGroup }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Container-level security context of the restricted Pod Security profile. */}}
{{- define "kafka.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* checkov skips of one kind, each with its reason; helm/SKIPS.md lists the same. */}}
{{- define "kafka.checkovSkips" -}}
{{- $lines := list -}}
{{- range $index, $skip := index .root.Values.checkovSkips .kind -}}
{{- $lines = append $lines (printf "checkov.io/skip%d: %s" (add1 $index) (printf "%s=%s" $skip.check $skip.reason | quote)) -}}
{{- end -}}
{{- join "\n" $lines -}}
{{- end }}

{{/* Writable scratch space: the root filesystem is read-only. */}}
{{- define "kafka.scratchVolumes" -}}
- name: tmp
  emptyDir:
    medium: Memory
    sizeLimit: 64Mi
- name: logs
  emptyDir:
    sizeLimit: 1Gi
{{- end }}

{{- define "kafka.scratchMounts" -}}
- name: tmp
  mountPath: /tmp
- name: logs
  mountPath: /opt/kafka/logs
{{- end }}
