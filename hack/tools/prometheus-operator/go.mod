// The Prometheus Operator's CustomResourceDefinitions, for the tests' control plane: its module
// ships them as YAML (example/prometheus-operator-crd). v0.94.0 is the newest version of the root
// module the Go module proxy serves.
module github.com/metrics-stack/hack/tools/prometheus-operator

go 1.26.0

require github.com/prometheus-operator/prometheus-operator v0.94.0
