{{/* The objects' name: the release's, or release-chart when the release name lacks the chart's. */}}
{{- define "postmortem.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Selector labels: the kustomize manifests' app.kubernetes.io/name, plus the release. */}}
{{- define "postmortem.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "postmortem.labels" -}}
{{ include "postmortem.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "postmortem.secretName" -}}
{{- .Values.secret.name | default (include "postmortem.fullname" .) -}}
{{- end -}}

{{- define "postmortem.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{/* Refuses values that would run a broken install. */}}
{{- define "postmortem.validate" -}}
{{- $db := .Values.database.type -}}
{{- if not (has $db (list "postgres" "sqlite")) -}}
{{- fail (printf "database.type %q: want postgres or sqlite" $db) -}}
{{- end -}}
{{- if and (eq $db "sqlite") (gt (int .Values.replicas) 1) -}}
{{- fail (printf "replicas %d with database.type sqlite: SQLite is one process's file; several replicas need database.type postgres (the Secret's database-url)" (int .Values.replicas)) -}}
{{- end -}}
{{- if eq (int .Values.metrics.port) 8080 -}}
{{- fail "metrics.port 8080 is the http port (/webhook, /healthz, /readyz): the metrics need a port of their own" -}}
{{- end -}}
{{- if lt (int .Values.replicas) 1 -}}
{{- fail (printf "replicas %d: want at least 1" (int .Values.replicas)) -}}
{{- end -}}
{{- end -}}
