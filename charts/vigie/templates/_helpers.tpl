{{/* The chart name, truncated to the 63 characters Kubernetes allows in names. */}}
{{- define "vigie.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release-qualified name used for every object of this chart. */}}
{{- define "vigie.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "vigie.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "vigie.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vigie.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "vigie.labels" -}}
helm.sh/chart: {{ include "vigie.chart" . }}
{{ include "vigie.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The rendered configuration file, shared by the ConfigMap and its checksum. */}}
{{- define "vigie.config" -}}
{{- toYaml .Values.config }}
{{- end }}

{{/*
Fails the render when the pod would be killed before Vigie finishes draining: the grace period must
exceed the preStop sleep plus config.timeouts.drain. Durations written in s or m (or a bare number
of seconds) are checked; other forms (ms, h) are left to the operator.
*/}}
{{- define "vigie.validateGrace" -}}
{{- $drain := toString (dig "timeouts" "drain" "30s" .Values.config) -}}
{{- $secs := -1 -}}
{{- if regexMatch "^[0-9]+s?$" $drain -}}
{{- $secs = trimSuffix "s" $drain | atoi -}}
{{- else if regexMatch "^[0-9]+m$" $drain -}}
{{- $secs = mul (trimSuffix "m" $drain | atoi) 60 -}}
{{- end -}}
{{- if and (ge (int $secs) 0) (le (int .Values.terminationGracePeriodSeconds) (add (int $secs) (int .Values.lifecycle.preStopSleepSeconds))) -}}
{{- fail (printf "terminationGracePeriodSeconds (%v) must be longer than lifecycle.preStopSleepSeconds (%v) plus config.timeouts.drain (%s)" .Values.terminationGracePeriodSeconds .Values.lifecycle.preStopSleepSeconds $drain) -}}
{{- end -}}
{{- end }}
