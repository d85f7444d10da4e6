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

{{/* The Secret holding the identity secrets: an existing one, the one the chart creates, or none. */}}
{{- define "vigie.identitySecretName" -}}
{{- if .Values.identitySecrets.existingSecret -}}
{{- .Values.identitySecrets.existingSecret -}}
{{- else if .Values.identitySecrets.create -}}
{{- printf "%s-identity" (include "vigie.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end }}

{{/* The data of the Secret the chart creates: only the keys that have a value. */}}
{{- define "vigie.identitySecretData" -}}
{{- $s := .Values.identitySecrets -}}
{{- $data := dict -}}
{{- if $s.cookieKeys }}{{- $_ := set $data "cookie-keys" $s.cookieKeys -}}{{- end -}}
{{- if $s.clientSecret }}{{- $_ := set $data "client-secret" $s.clientSecret -}}{{- end -}}
{{- if $s.assertionKey }}{{- $_ := set $data "assertion-key" $s.assertionKey -}}{{- end -}}
{{- range $k, $v := $s.extra }}{{- $_ := set $data $k $v -}}{{- end -}}
{{- toYaml $data -}}
{{- end }}

{{/* The ServiceAccount the pods run as: the one the chart creates, a named one, or none (default). */}}
{{- define "vigie.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "vigie.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- .Values.serviceAccount.name -}}
{{- end -}}
{{- end }}

{{/* Fails the render on identity settings that cannot work. */}}
{{- define "vigie.validateIdentity" -}}
{{- if and .Values.identitySecrets.existingSecret .Values.identitySecrets.create -}}
{{- fail "identitySecrets: set either existingSecret or create, not both" -}}
{{- end -}}
{{- if and .Values.identitySecrets.create (not .Values.identitySecrets.cookieKeys) -}}
{{- fail "identitySecrets.create needs identitySecrets.cookieKeys (the session key ring: openssl rand -base64 32)" -}}
{{- end -}}
{{- if .Values.workloadIdentity.enabled -}}
{{- if not (include "vigie.serviceAccountName" .) -}}
{{- fail "workloadIdentity.enabled needs a ServiceAccount: set serviceAccount.create (or serviceAccount.name for one you manage)" -}}
{{- end -}}
{{- if and .Values.serviceAccount.create (not .Values.workloadIdentity.clientId) (not (hasKey (.Values.serviceAccount.annotations | default dict) "azure.workload.identity/client-id")) -}}
{{- fail "workloadIdentity.enabled with serviceAccount.create needs workloadIdentity.clientId (Vigie's application (client) id)" -}}
{{- end -}}
{{- end -}}
{{- end }}
