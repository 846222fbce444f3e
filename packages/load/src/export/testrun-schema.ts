/**
 * JSON Schema for k6-operator's `TestRun` (k6.io/v1alpha1), transcribed from
 * grafana/k6-operator's CRD `config/crd/bases/k6.io_testruns.yaml`
 * (controller-gen v0.19.0; stored copy at commit 0044cb2) and the Go types in
 * `api/v1alpha1/testrun_types.go` (commit 0541ec5), the v1.x line whose
 * latest release is v1.6.0. `spec` and the Pod specs list every field the
 * CRD has; Kubernetes' own nested types (affinity, probes, volumes, security
 * contexts) are objects here, not transcribed. Stricter than the API server
 * in one way: unknown fields are errors (the server would prune them
 * silently, which hides a typo).
 */

/** The CRD version the schema was transcribed from. */
export const testRunCrdVersion =
  'k6-operator v1.6.0 line: CRD testruns.k6.io v1alpha1 ' +
  '(config/crd/bases/k6.io_testruns.yaml @0044cb2, api/v1alpha1/testrun_types.go @0541ec5)'

const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const
const quantity = {
  anyOf: [
    { type: 'integer' },
    {
      type: 'string',
      // Kubernetes' resource.Quantity: a signed decimal, then a binary or decimal suffix or an exponent.
      pattern:
        '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))' +
        '(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
    },
  ],
} as const

const envVar = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    value: { type: 'string' },
    valueFrom: { type: 'object' },
  },
} as const

const resources = {
  type: 'object',
  additionalProperties: false,
  properties: {
    claims: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string' }, request: { type: 'string' } },
      },
    },
    limits: { type: 'object', additionalProperties: quantity },
    requests: { type: 'object', additionalProperties: quantity },
  },
} as const

const pod = {
  type: 'object',
  additionalProperties: false,
  properties: {
    disabled: { type: 'boolean' },
    affinity: { type: 'object' },
    automountServiceAccountToken: { type: 'string' },
    env: { type: 'array', items: envVar },
    image: { type: 'string' },
    imagePullSecrets: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
    imagePullPolicy: { type: 'string' },
    metadata: {
      type: 'object',
      additionalProperties: false,
      properties: { annotations: stringMap, labels: stringMap },
    },
    nodeSelector: stringMap,
    tolerations: { type: 'array', items: { type: 'object' } },
    topologySpreadConstraints: { type: 'array', items: { type: 'object' } },
    resources,
    serviceAccountName: { type: 'string' },
    securityContext: { type: 'object' },
    containerSecurityContext: { type: 'object' },
    envFrom: { type: 'array', items: { type: 'object' } },
    readinessProbe: { type: 'object' },
    livenessProbe: { type: 'object' },
    initContainers: { type: 'array', items: { type: 'object' } },
    volumes: { type: 'array', items: { type: 'object', required: ['name'] } },
    volumeMounts: { type: 'array', items: { type: 'object', required: ['mountPath', 'name'] } },
    priorityClassName: { type: 'string' },
    schedulerName: { type: 'string' },
  },
} as const

/** The TestRun schema (JSON Schema draft-07, for ajv). */
export const testRunSchema = {
  $id: 'https://steady.dev/schemas/k6-operator/testrun-v1alpha1.json',
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'k6.io/v1alpha1' },
    kind: { const: 'TestRun' },
    metadata: {
      type: 'object',
      required: ['name'],
      properties: {
        // DNS-1123 subdomain, as every Kubernetes object name.
        name: {
          type: 'string',
          maxLength: 253,
          pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
        },
        namespace: { type: 'string' },
        labels: stringMap,
        annotations: stringMap,
      },
    },
    spec: {
      type: 'object',
      required: ['parallelism', 'script'],
      additionalProperties: false,
      properties: {
        arguments: { type: 'string' },
        cleanup: { enum: ['post'] },
        initializer: pod,
        starter: pod,
        runner: pod,
        parallelism: { type: 'integer', minimum: -2147483648, maximum: 2147483647 },
        ports: {
          type: 'array',
          items: {
            type: 'object',
            required: ['containerPort'],
            additionalProperties: false,
            properties: {
              containerPort: { type: 'integer' },
              hostIP: { type: 'string' },
              hostPort: { type: 'integer' },
              name: { type: 'string' },
              protocol: { type: 'string' },
            },
          },
        },
        quiet: { type: 'string' },
        paused: { type: 'string' },
        separate: { type: 'boolean' },
        script: {
          type: 'object',
          additionalProperties: false,
          properties: {
            configMap: {
              type: 'object',
              required: ['name'],
              additionalProperties: false,
              properties: { name: { type: 'string' }, file: { type: 'string' } },
            },
            volumeClaim: {
              type: 'object',
              required: ['name'],
              additionalProperties: false,
              properties: { name: { type: 'string' }, file: { type: 'string' }, readOnly: { type: 'boolean' } },
            },
            localFile: { type: 'string' },
          },
        },
        scuttle: {
          type: 'object',
          additionalProperties: false,
          properties: {
            enabled: { type: 'string' },
            envoyAdminApi: { type: 'string' },
            neverKillIstio: { type: 'boolean' },
            neverKillIstioOnFailure: { type: 'boolean' },
            disableLogging: { type: 'boolean' },
            startWithoutEnvoy: { type: 'boolean' },
            waitForEnvoyTimeout: { type: 'string' },
            istioQuitApi: { type: 'string' },
            genericQuitEndpoint: { type: 'string' },
            quitWithoutEnvoyTimeout: { type: 'string' },
          },
        },
        cloud: {
          type: 'object',
          additionalProperties: false,
          properties: { token: { type: 'string' }, testRunId: { type: 'string' }, stream: { type: 'boolean' } },
        },
        testRunId: { type: 'string' },
        token: { type: 'string' },
      },
    },
    status: { type: 'object' },
  },
} as const

/** A ConfigMap holding the script (ConfigMaps are limited to 1 MiB). */
export const configMapSchema = {
  $id: 'https://steady.dev/schemas/k8s/configmap-v1.json',
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'data'],
  properties: {
    apiVersion: { const: 'v1' },
    kind: { const: 'ConfigMap' },
    metadata: testRunSchema.properties.metadata,
    data: stringMap,
  },
} as const
